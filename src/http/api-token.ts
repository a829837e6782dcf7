// The bearer token of the component servers (STELLAR_FLOW_API_TOKEN): when set, every route needs
// it (health details, metrics, dashboard files, data streams, client services, the flowctl proxy)
// but the liveness probe GET /livez, which says "ok" and nothing else, and CORS preflights, which
// browsers send without credentials by design (they carry no data and reach no handler).
import { Code, ConnectError } from "@connectrpc/connect";
import type { MiddlewareHandler } from "hono";
import { bearerToken, sameSecret } from "../flowctl/auth.ts";
import { rpcErrorResponse } from "./undecodable-request.ts";

export const API_TOKEN_ENV = "STELLAR_FLOW_API_TOKEN";

/** The one route the token does not cover. */
export const LIVENESS_PATH = "/livez";

/** The token of STELLAR_FLOW_API_TOKEN; null when unset or blank (every route open). */
export function apiTokenFromEnv(env: Readonly<Record<string, string | undefined>>): string | null {
  return env[API_TOKEN_ENV]?.trim() || null;
}

/** `/package.Service/Method`: answered in its RPC protocol's shape. */
const RPC_PATH = /^\/[A-Za-z_][\w.]*\.[A-Za-z_]\w*\/[A-Za-z_]\w*$/;

/** The token a request carries: `Authorization: Bearer`, else `?token=` (a browser's page load, /ws, a download link). */
export function requestToken(request: Request): string | undefined {
  return bearerToken(request.headers.get("authorization")) ?? new URL(request.url).searchParams.get("token") ?? undefined;
}

/** The refusal of a request without the token (an RPC's in its protocol, else JSON 401), or null when it may go on. */
export function tokenRefusal(request: Request, token: string | null): Response | null {
  if (token === null) return null;
  const given = requestToken(request);
  if (given !== undefined && sameSecret(given, token)) return null;
  const path = new URL(request.url).pathname;
  const problem = given === undefined ? `${path} needs a token: an Authorization: Bearer header or ?token=` : `${path}: the token is not valid`;
  if (RPC_PATH.test(path)) return rpcErrorResponse(request, new ConnectError(problem, Code.Unauthenticated));
  return Response.json({ error: problem }, { status: 401, headers: { "www-authenticate": 'Bearer realm="stellar-flow"' } });
}

/** Middleware refusing every request without the token, but GET /livez and CORS preflights. */
export function tokenGate(token: string | null): MiddlewareHandler {
  return async (c, next) => {
    const preflight = c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
    if (token === null || preflight || c.req.path === LIVENESS_PATH) return next();
    const refused = tokenRefusal(c.req.raw, token);
    if (refused) return refused;
    return next();
  };
}
