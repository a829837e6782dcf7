// DNS rebinding: a page on an attacker's domain that resolves to 127.0.0.1 is "same origin" with a
// server on loopback, so Origin checks and CORS do not stop it. A server bound to a loopback address
// therefore answers only requests whose Host names loopback (localhost, 127.x.x.x, [::1]) or a host
// the operator allows (STELLAR_FLOW_ALLOWED_HOSTS). A server bound elsewhere was exposed on purpose
// and relies on its token.

/** Hosts allowed besides loopback, from STELLAR_FLOW_ALLOWED_HOSTS (comma-separated names, no ports). */
export function allowedHostsFromEnv(env: Readonly<Record<string, string | undefined>>): readonly string[] {
  return (env["STELLAR_FLOW_ALLOWED_HOSTS"] ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
}

/** Whether `hostname` (no port; IPv6 with or without brackets) names this machine's loopback. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return name === "localhost" || name.endsWith(".localhost") || name === "::1" || /^127(\.\d{1,3}){3}$/.test(name);
}

/** The hostname of a Host header value ("example.com:8090", "[::1]:8090"), lowercase; null when malformed. */
function hostnameOf(host: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:\s\[\]]+)(:\d{1,5})?$/i.exec(host.trim());
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * Wraps `fetch` so that, on a server listening on loopback, a request naming another host is refused
 * (HTTP 421, before any route runs). Unchanged when the server listens elsewhere.
 */
export function guardHost<F extends (request: Request, ...rest: any[]) => Response | Promise<Response>>(fetch: F, listenHost: string, allowed: readonly string[]): F {
  if (!isLoopbackName(listenHost)) return fetch;
  return ((request: Request, ...rest: unknown[]) => {
    const host = request.headers.get("host");
    const name = host === null ? null : hostnameOf(host);
    if (name !== null && (isLoopbackName(name) || allowed.includes(name.replace(/^\[|\]$/g, "")))) return fetch(request, ...rest);
    return Response.json(
      { error: `this server listens on ${listenHost} and answers requests for localhost only, not for host "${host ?? ""}" (STELLAR_FLOW_ALLOWED_HOSTS adds names)` },
      { status: 421 },
    );
  }) as F;
}
