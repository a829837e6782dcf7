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

export function authInterceptor(options: AuthOptions): Interceptor {
  return (next) => async (request) => {
    const token = options.token;
    if (token !== null && (MUTATING_METHODS.has(request.method.name) || !options.openReads)) {
      const header = request.header.get("authorization") ?? "";
      const match = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (!match) throw new ConnectError(`${request.method.name} needs an Authorization: Bearer token`, Code.Unauthenticated);
      if (!sameSecret(match[1]!, token)) throw new ConnectError(`${request.method.name}: the bearer token is not valid`, Code.Unauthenticated);
    }
    return next(request);
  };
}
