// Checks made before a route reads a request: where a browser request comes from, and a body read
// no further than the route's cap (Content-Length first, then the bytes as they stream in).
import { readAtMost } from "./undecodable-request.ts";

/**
 * Whether a request may come from its Origin: none (not a browser: curl, the CLI, a server), the
 * server's own origin, or one of `allowlist` ("*": any). A page elsewhere cannot use a route that
 * answers simple (no-preflight) requests or WebSocket upgrades, which CORS alone does not stop.
 */
export function originAllowed(request: Request, allowlist: readonly string[]): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  if (allowlist.includes("*") || allowlist.includes(origin)) return true;
  const host = request.headers.get("host");
  return host !== null && (origin === `http://${host}` || origin === `https://${host}`);
}

/** HTTP 403 naming the origin, or null when it is allowed. */
export function originRefusal(request: Request, allowlist: readonly string[]): Response | null {
  if (originAllowed(request, allowlist)) return null;
  const path = new URL(request.url).pathname;
  const origin = request.headers.get("origin");
  return Response.json({ error: `${path}: requests from origin ${origin} are not allowed (same origin, or STELLAR_FLOW_CORS_ORIGINS)` }, { status: 403 });
}

/** `application/json`, with or without parameters: a content type that needs a CORS preflight from a page elsewhere. */
export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/json\s*(;|$)/i.test(contentType.trim());
}

/**
 * The request's body, or HTTP 413 naming the cap: a declared Content-Length past `maxBytes` is
 * refused unread, and a body without one is read no further than `maxBytes`.
 */
export async function readBodyAtMost(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | Response> {
  const tooLarge = () => Response.json({ error: `${new URL(request.url).pathname}: the request body is larger than ${maxBytes} bytes` }, { status: 413 });
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) return tooLarge();
  if (request.body === null) return new Uint8Array();
  try {
    return (await readAtMost(request.body, maxBytes)) ?? tooLarge();
  } catch {
    // the client went away mid-body (or the idle timeout dropped it): nobody reads this answer
    return Response.json({ error: `${new URL(request.url).pathname}: the request body was cut short` }, { status: 400 });
  }
}
