// Bearer-token check of the control plane and the sink's services, made before a request's body is
// read (mountConnect's `authorize`).
import { Code, ConnectError } from "@connectrpc/connect";

/** RPCs that change the registry. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(["Register", "Heartbeat", "Unregister"]);

export interface AuthOptions {
  /** The bearer token; null: no token, every RPC is open. */
  readonly token: string | null;
  /** With a token, let reads through without it (mutations still need it). */
  readonly openReads: boolean;
}

/** Compares in time independent of where the strings differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ (y[i % Math.max(y.length, 1)] ?? 0);
  return diff === 0;
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return /^Bearer\s+(.+)$/i.exec((authorization ?? "").trim())?.[1];
}

/** Why a call of `methodName` with this Authorization header is refused, or null when it may go ahead. */
export function authFailure(options: AuthOptions, methodName: string, authorization: string | null): ConnectError | null {
  const token = options.token;
  if (token === null || (!MUTATING_METHODS.has(methodName) && options.openReads)) return null;
  const given = bearerToken(authorization);
  if (given === undefined) return new ConnectError(`${methodName} needs an Authorization: Bearer token`, Code.Unauthenticated);
  if (!sameSecret(given, token)) return new ConnectError(`${methodName}: the bearer token is not valid`, Code.Unauthenticated);
  return null;
}
