// The data plane's wire format: a stream of frames over one HTTP response body. Each frame is
//   kind (1 byte: "B" batch, "E" end of range, "X" error) | part count (u32 BE) | parts,
// each part a u32 BE length and that many bytes. A "B" frame carries a JSON header part and then
// one Arrow IPC stream per record batch: one (raw ledgers) from the source, two (ledgers rows, then
// ttp_events rows of the same ledgers) from the processor, so that what the sink commits in one
// transaction travels in one frame. "E" and "X" carry one JSON part. A body that ends without an
// "E" or "X" frame was cut short (the upstream died): the downstream reconnects and resumes.
// Pure: web-standard APIs only.

export type FrameKind = "B" | "E" | "X";

export interface Frame {
  readonly kind: FrameKind;
  readonly parts: readonly Uint8Array[];
}

const KINDS: Record<number, FrameKind> = { 0x42: "B", 0x45: "E", 0x58: "X" };
/** A frame larger than this is refused as corrupt (the largest ledger batches are tens of MB). */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

export class FrameError extends Error {
  override readonly name = "FrameError";
}

export function encodeFrame(frame: Frame): Uint8Array {
  const size = 5 + frame.parts.reduce((n, part) => n + 4 + part.byteLength, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes[0] = frame.kind.charCodeAt(0);
  view.setUint32(1, frame.parts.length);
  let offset = 5;
  for (const part of frame.parts) {
    view.setUint32(offset, part.byteLength);
    bytes.set(part, offset + 4);
    offset += 4 + part.byteLength;
  }
  return bytes;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const jsonPart = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
export const partJson = <T>(part: Uint8Array | undefined): T => {
  if (!part) throw new FrameError("a frame without its JSON header");
  return JSON.parse(decoder.decode(part)) as T;
};

/** Reads frames off a byte stream, in order; throws FrameError on bytes that are not frames. */
export async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
  const reader = body.getReader();
  // chunks as they arrived, copied out once per part (no growing buffer)
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  /** Reads until `n` bytes are buffered; false when the body ended first. */
  const fill = async (n: number): Promise<boolean> => {
    while (buffered < n) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength === 0) continue;
      chunks.push(value);
      buffered += value.byteLength;
    }
    return true;
  };
  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let offset = 0;
    while (offset < n) {
      const chunk = chunks[0]!;
      const used = Math.min(chunk.byteLength, n - offset);
      out.set(used === chunk.byteLength ? chunk : chunk.subarray(0, used), offset);
      offset += used;
      if (used === chunk.byteLength) chunks.shift();
      else chunks[0] = chunk.subarray(used);
    }
    buffered -= n;
    return out;
  };
  const u32 = (): number => new DataView(take(4).buffer).getUint32(0);
  try {
    for (;;) {
      if (!(await fill(1))) return; // a clean end between frames
      if (!(await fill(5))) throw new FrameError("the stream ended inside a frame header");
      const kindByte = take(1)[0]!;
      const kind = KINDS[kindByte];
      if (!kind) throw new FrameError(`not a frame: kind byte 0x${kindByte.toString(16)}`);
      const count = u32();
      if (count > 16) throw new FrameError(`a frame of ${count} parts`);
      const parts: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        if (!(await fill(4))) throw new FrameError("the stream ended inside a frame");
        const length = u32();
        if (length > MAX_FRAME_BYTES) throw new FrameError(`a frame part of ${length} bytes`);
        if (!(await fill(length))) throw new FrameError("the stream ended inside a frame");
        parts.push(take(length));
      }
      yield { kind, parts };
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
