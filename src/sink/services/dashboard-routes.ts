// The dashboard: GET / (HTML), GET /dashboard.js (src/web bundled with Bun.build on first request,
// kept in memory: works from a fresh clone, no build step, no CDN), and a read-only proxy of
// flowctl's ControlPlaneService (WatchServices, GetPipelineHealth, ListServices) so the page stays
// on one origin. The proxy wants the sink's token (the gate of mountSinkServices), reads at most
// maxRequestBytes of body, and presents flowctl with the sink's own flowctl credentials.
import { join } from "node:path";
import type { Hono } from "hono";
import { originRefusal, readBodyAtMost } from "../../http/request-guards.ts";
import { exemptFromIdleTimeout } from "../../http/serve-app.ts";
import type { StreamSlots } from "../../http/stream-slots.ts";
import { messageOf } from "../../common/message-of.ts";
import { Code, ConnectError } from "@connectrpc/connect";
import { rpcErrorResponse } from "../../http/undecodable-request.ts";

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

export interface DashboardOptions {
  readonly flowctlUrl: string | null | (() => string | null);
  /** What the proxy presents to flowctl (its FLOWCTL_TOKEN); the caller's own Authorization is the sink's token and stays here. */
  readonly flowctlToken: string | null | (() => string | null);
  /** Largest proxied request body. */
  readonly maxRequestBytes: number;
  /** The sink's stream slots: a proxied WatchServices takes one while it lasts. */
  readonly slots: StreamSlots;
  readonly corsOrigins: readonly string[];
  /** The lake the "Inspect a ledger" panel reads (an http(s) URL); default $STELLAR_FLOW_DATALAKE when it is one. */
  readonly datalake?: string | null;
  /** Ledgers arrive while the page is open (a pipeline's sink, a sink with an upstream); false: a database only served. Default true. */
  readonly live?: boolean;
}

/** The page, its token (from ?token=) carried into the URLs of its script and style sheet. */
async function dashboardPage(request: Request): Promise<string> {
  const html = await Bun.file(join(WEB, "index.html")).text();
  const token = new URL(request.url).searchParams.get("token");
  if (!token) return html;
  return html.replace(/(href|src)="\/dashboard\.(css|js)"/g, `$1="/dashboard.$2?token=${encodeURIComponent(token)}"`);
}

export function dashboardRoutes(app: Hono, options: DashboardOptions): void {
  const flowctlUrl = (): string | null => (typeof options.flowctlUrl === "function" ? options.flowctlUrl() : options.flowctlUrl);
  // the page's URL may hold the token: never send it on as a Referer
  app.get("/", async (c) => c.html(await dashboardPage(c.req.raw), 200, { "referrer-policy": "no-referrer", "cache-control": "no-store" }));
  app.get("/dashboard.js", async (c) => c.body(await dashboardBundle(), 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }));
  app.get("/dashboard.css", async (c) => c.body(await Bun.file(join(WEB, "dashboard.css")).text(), 200, { "content-type": "text/css; charset=utf-8" }));
  const datalake = options.datalake ?? browserLake(process.env.STELLAR_FLOW_DATALAKE);
  app.get("/dashboard/config", (c) => c.json({ flowctl: flowctlUrl() !== null, live: options.live ?? true, datalake }));
  // behind the token gate (mountSinkServices): a caller without the sink's token never gets here
  app.post("/flowctl.v1.ControlPlaneService/:method", async (c) => {
    const method = c.req.param("method");
    // the proxy's own refusals in the request's protocol (a Connect stream's error travels in its end message, HTTP 200), so a client reads their words
    const refuse = (message: string, code: Code) => rpcErrorResponse(c.req.raw, new ConnectError(message, code));
    if (!PROXIED.has(method)) return refuse(`the dashboard proxy forwards only ${[...PROXIED].join(", ")}`, Code.PermissionDenied);
    const refused = originRefusal(c.req.raw, options.corsOrigins);
    if (refused) return refused;
    const base = flowctlUrl();
    if (base === null) return refuse("this server knows no flowctl", Code.FailedPrecondition);
    const body = await readBodyAtMost(c.req.raw, options.maxRequestBytes);
    if (body instanceof Response) return body;
    const headers = new Headers();
    for (const name of ["content-type", "connect-protocol-version", "connect-timeout-ms", "accept-encoding", "x-grpc-web"]) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    const flowctlToken = typeof options.flowctlToken === "function" ? options.flowctlToken() : options.flowctlToken;
    if (flowctlToken) headers.set("authorization", `Bearer ${flowctlToken}`);
    const streaming = method === "WatchServices";
    const release = streaming ? options.slots.tryAcquire("watch") : () => {};
    if (!release) return refuse(options.slots.refusal(), Code.ResourceExhausted);
    // the request has arrived whole: a watch may now stay quiet for as long as nothing changes
    if (streaming) exemptFromIdleTimeout(c.env, c.req.raw);
    const connected = AbortSignal.timeout(PROXY_CONNECT_TIMEOUT_MS);
    const abort = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => abort.abort(), { once: true });
    const timer = setTimeout(() => abort.abort(connected.reason), PROXY_CONNECT_TIMEOUT_MS);
    try {
      const upstream = await fetch(`${base.replace(/\/$/, "")}/flowctl.v1.ControlPlaneService/${method}`, { method: "POST", headers, body, signal: abort.signal });
      clearTimeout(timer); // connected: a watch may then last as long as the page
      if (!upstream.body) {
        release();
        return new Response(null, { status: upstream.status, headers: upstream.headers });
      }
      return new Response(releasingAtEnd(upstream.body, release), { status: upstream.status, headers: upstream.headers });
    } catch (error) {
      clearTimeout(timer);
      release();
      return refuse(`flowctl at ${base} did not answer: ${messageOf(error)}`, Code.Unavailable);
    }
  });
}

/** A lake a browser can read: an http(s) URL (a folder or s3:// is the server's, not the page's). */
function browserLake(location: string | undefined): string | null {
  return location && /^https?:\/\//i.test(location) ? location : null;
}

/** `body`, calling `release` once it ends, fails or its reader goes away. */
function releasingAtEnd(body: ReadableStream<Uint8Array>, release: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason);
    },
  });
}
