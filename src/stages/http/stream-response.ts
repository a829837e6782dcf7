// The server side of the data plane: frames produced on demand into an HTTP response body.
// The body is a pull-based ReadableStream: the producer makes the next frame only when fewer than
// `maxInflight` frames wait to be sent, so a downstream that reads slowly slows its upstream
// (HTTP/TCP flow control carries the pressure back) and nothing is buffered without bound.

export const FRAMES_CONTENT_TYPE = "application/vnd.stellar-flow.frames";

export interface FrameResponseOptions {
  /** Frames produced ahead of the reader, at most. */
  readonly maxInflight: number;
  readonly headers?: Record<string, string>;
  /** Called when the reader goes away before the end (the producer is closed too). */
  readonly onCancel?: (reason: unknown) => void;
}

export function frameResponse(frames: AsyncIterator<Uint8Array>, options: FrameResponseOptions): Response {
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await frames.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error); // the body is cut short: the downstream reconnects
        }
      },
      async cancel(reason) {
        options.onCancel?.(reason);
        await frames.return?.();
      },
    },
    new CountQueuingStrategy({ highWaterMark: Math.max(1, options.maxInflight) }),
  );
  return new Response(body, { headers: { "content-type": FRAMES_CONTENT_TYPE, "cache-control": "no-store", ...options.headers } });
}
