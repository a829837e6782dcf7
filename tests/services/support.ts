// A sink database with the services mounted, served on a free port.
import { join } from "node:path";
import { Hono } from "hono";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { serveApp, type ServedApp } from "../../src/http/serve-app.ts";
import { CommitHub } from "../../src/sink/services/commit-hub.ts";
import { mountSinkServices, type SinkServicesOptions } from "../../src/sink/services/mount-sink-services.ts";
import { openServedSink } from "../../src/sink/services/served-sink.ts";
import { dispatchingWebSocket } from "../../src/sink/services/websocket-route.ts";
import { processedBatch, tempDir } from "../sink/fixtures.ts";

export interface ServicesHarness {
  readonly sink: DuckDbSink;
  readonly hub: CommitHub;
  readonly server: ServedApp;
  /** Writes ledgers [first, last] (4 events each) and tells the hub. */
  commit(first: number, last: number): Promise<void>;
  close(): Promise<void>;
}

/** The services over a sink opened as `bun run sink` opens it (DuckDB's sandbox on), with `queryConcurrency` query connections (default 2). */
export async function servicesHarness(options: Partial<Omit<SinkServicesOptions, "db" | "hub">> & { readonly queryConcurrency?: number } = {}): Promise<ServicesHarness> {
  const dir = tempDir("stellar-flow-services-");
  const served = await openServedSink(join(dir.path, "db.duckdb"), { queryConcurrency: options.queryConcurrency ?? 2 });
  const sink = served.sink;
  const hub = new CommitHub((await sink.cursor())?.sequence ?? null);
  const app = new Hono();
  mountSinkServices(app, { db: served.services, hub, token: null, corsOrigins: [], ...options });
  const server = serveApp(app.fetch, { host: "127.0.0.1", port: 0, websocket: dispatchingWebSocket, idleTimeout: 0 });
  return {
    sink,
    hub,
    server,
    async commit(first, last) {
      await sink.write(processedBatch(first, last));
      hub.committed(last);
    },
    async close() {
      await server.stop();
      await served.close();
      dir.remove();
    },
  };
}
