// Bearer-token check of the control plane, as a Connect interceptor.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** RPCs that change the registry. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(["Register", "Heartbeat", "Unregister"]);

export interface AuthOptions {
  /** The bearer token; null: no token, every RPC is open. */
  readonly token: string | null;
  /** With a token, let reads through without it (mutations still need it). */
  readonly openReads: boolean;
}

/** Compares in time independent of where the strings differ. */
function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ (y[i % Math.max(y.length, 1)] ?? 0);
  return diff === 0;
}

/** Why a call of `methodName` with this Authorization header is refused, or null when it may go ahead. */
export function authFailure(options: AuthOptions, methodName: string, authorization: string | null): ConnectError | null {
  const token = options.token;
  if (token === null || (!MUTATING_METHODS.has(methodName) && options.openReads)) return null;
  const match = /^Bearer\s+(.+)$/i.exec((authorization ?? "").trim());
  if (!match) return new ConnectError(`${methodName} needs an Authorization: Bearer token`, Code.Unauthenticated);
  if (!sameSecret(match[1]!, token)) return new ConnectError(`${methodName}: the bearer token is not valid`, Code.Unauthenticated);
  return null;
}

export function authInterceptor(options: AuthOptions): Interceptor {
  return (next) => async (request) => {
    const failure = authFailure(options, request.method.name, request.header.get("authorization"));
    if (failure) throw failure;
    return next(request);
  };
}
