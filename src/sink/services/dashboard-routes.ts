// The dashboard: GET / (HTML), GET /dashboard.js (src/web bundled with Bun.build on first request,
// kept in memory: works from a fresh clone, no build step, no CDN), and a read-only proxy of
// flowctl's ControlPlaneService (WatchServices, GetPipelineHealth, ListServices) so the page stays
// on one origin.
import { join } from "node:path";
import type { Hono } from "hono";

const WEB = join(import.meta.dir, "..", "..", "web");
const PROXIED = new Set(["WatchServices", "GetPipelineHealth", "ListServices"]);
const PROXY_CONNECT_TIMEOUT_MS = 5000;

let bundle: Promise<string> | null = null;

/** The dashboard's script, bundled once per process. */
export function dashboardBundle(): Promise<string> {
  bundle ??= Bun.build({ entrypoints: [join(WEB, "main.ts")], target: "browser", minify: true }).then(async (result) => {
    if (!result.success || !result.outputs[0]) throw new Error(`bundling the dashboard failed: ${result.logs.map(String).join("; ")}`);
    return result.outputs[0].text();
  });
  bundle.catch(() => (bundle = null));
  return bundle;
}

export function dashboardRoutes(app: Hono, options: { readonly flowctlUrl: string | null | (() => string | null) }): void {
  const flowctlUrl = (): string | null => (typeof options.flowctlUrl === "function" ? options.flowctlUrl() : options.flowctlUrl);
  app.get("/", async (c) => c.html(await Bun.file(join(WEB, "index.html")).text()));
  app.get("/dashboard.js", async (c) => c.body(await dashboardBundle(), 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }));
  app.get("/dashboard.css", async (c) => c.body(await Bun.file(join(WEB, "dashboard.css")).text(), 200, { "content-type": "text/css; charset=utf-8" }));
  app.get("/dashboard/config", (c) => c.json({ flowctl: flowctlUrl() !== null }));
  app.post("/flowctl.v1.ControlPlaneService/:method", async (c) => {
    const method = c.req.param("method");
    if (!PROXIED.has(method)) return c.json({ error: `the dashboard proxy forwards only ${[...PROXIED].join(", ")}` }, 403);
    const base = flowctlUrl();
    if (base === null) return c.json({ code: "unavailable", message: "this server knows no flowctl" }, 503);
    const headers = new Headers();
    for (const name of ["content-type", "connect-protocol-version", "connect-timeout-ms", "accept-encoding", "x-grpc-web", "authorization"]) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    const connected = AbortSignal.timeout(PROXY_CONNECT_TIMEOUT_MS);
    const body = await c.req.arrayBuffer();
    const abort = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => abort.abort(), { once: true });
    const timer = setTimeout(() => abort.abort(connected.reason), PROXY_CONNECT_TIMEOUT_MS);
    try {
      const upstream = await fetch(`${base.replace(/\/$/, "")}/flowctl.v1.ControlPlaneService/${method}`, { method: "POST", headers, body, signal: abort.signal });
      clearTimeout(timer); // connected: a watch may then last as long as the page
      return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
    } catch (error) {
      clearTimeout(timer);
      return c.json({ code: "unavailable", message: `flowctl at ${base} did not answer: ${(error as Error).message}` }, 503);
    }
  });
}
