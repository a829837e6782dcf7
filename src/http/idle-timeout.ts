// A stream's way out of its server's idle timeout, once its request has fully arrived (a stream
// may rightly stay quiet for long). Works on any runtime: where the server has no such timeout
// (a Worker, Deno), there is nothing to exempt from.

/** `env` is Hono's `c.env`: Bun's server under serve-app.ts, a Worker's bindings elsewhere. */
export function exemptFromIdleTimeout(env: unknown, request: Request): void {
  (env as { timeout?: (request: Request, seconds: number) => void } | undefined)?.timeout?.(request, 0);
}
