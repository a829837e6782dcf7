// CORS for browser clients of Connect services: an origin allowlist and Connect's header lists.
import { cors as connectCors } from "@connectrpc/connect";
import { cors } from "hono/cors";
import type { MiddlewareHandler } from "hono";

/** `origins`: exact origins such as "http://localhost:5173", or "*" for any. */
export function connectCorsMiddleware(origins: readonly string[]): MiddlewareHandler {
  const any = origins.includes("*");
  return cors({
    origin: (origin) => (any ? origin || "*" : origins.includes(origin) ? origin : null),
    allowMethods: [...connectCors.allowedMethods],
    allowHeaders: [...connectCors.allowedHeaders, "Authorization"],
    exposeHeaders: [...connectCors.exposedHeaders],
    maxAge: 7200,
  });
}
