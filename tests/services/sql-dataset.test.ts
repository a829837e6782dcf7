// The SQL surface with a backfill dataset attached (bun run pipeline / sink --dataset DIR): DuckDB's
// sandbox now allows the dataset's folder (its views read the files there), so within that folder
// the statement check is the fence. Every file function, path and write aimed at the dataset's own
// files, and at canary files planted among them, is refused by the check; nothing is read out,
// nothing is written, the dataset verifies as before; the views read as one table.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Hono } from "hono";
import { DuckDBInstance } from "@duckdb/node-api";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { lockDown } from "../../src/sink/duckdb/sandbox.ts";
import { runShard } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { verifyDataset } from "../../src/backfill/verify-dataset.ts";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { serveApp, type ServedApp } from "../../src/http/serve-app.ts";
import { openSink, type OpenedSink } from "../../src/sink/open-sink.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { writeCanaries, type Canaries } from "../support/canaries.ts";
import { errorOf } from "../support/flowctl.ts";
import { processedBatch, tempDir } from "../sink/fixtures.ts";
import { attacks } from "./sql-attacks.ts";

setDefaultTimeout(30_000);

const work = tempDir("stellar-flow-sql-dataset-");
const dataset = join(work.path, "dataset");
let canaries: Canaries;
let opened: OpenedSink;
let server: ServedApp;
let client: ReturnType<typeof createClient<typeof QueryService>>;
let before: Record<string, string>;

/** Every path under `dir` with its size and modification time. */
function tree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    const stat = statSync(full);
    entries[full] = stat.isDirectory() ? "dir" : `${stat.size}@${Math.floor(stat.mtimeMs)}`;
  }
  return entries;
}

beforeAll(async () => {
  const source = await openDataLake(lakePath("pubnet"));
  await runShard({ source, processor: shardProcessor(source.networkPassphrase), store: new FolderDatasetStore(dataset), shard: { start: 30_822_015, end: 30_822_025 } });
  // canary files planted inside the dataset's folder, which DuckDB's sandbox allows
  canaries = await writeCanaries(join(dataset, "ttp_events", "canaries"));
  opened = await openSink(join(work.path, "live.duckdb"), { queryConcurrency: 2, dataset });
  await opened.sink.write(processedBatch(100, 109)); // live rows of other ledgers
  const services = (await opened.clientServices({ token: null, corsOrigins: [], query: { timeoutMs: 5000 } }))!;
  const app = new Hono();
  services.mount(app);
  server = serveApp(app.fetch, { host: "127.0.0.1", port: 0, websocket: services.websocket, idleTimeout: 0 });
  client = createClient(QueryService, createConnectTransport({ baseUrl: server.url, defaultTimeoutMs: 20_000 }));
  before = tree(dataset);
});
afterAll(async () => {
  await server.stop();
  await opened.close();
  work.remove();
});

const datasetFile = (table: string) => join(dataset, table, "0030822015-0030822025.parquet");

describe("with a dataset attached, the statement check refuses every file function and write aimed at the dataset's folder", () => {
  const own = () => [
    { name: "read_parquet of the dataset's files", sql: `SELECT * FROM read_parquet('${join(dataset, "ttp_events", "*.parquet")}')`, refusal: /table function read_parquet\(\) is not allowed/ },
    { name: "a dataset file as a table", sql: `SELECT * FROM '${datasetFile("ledgers")}'`, refusal: /is not a table of this database/ },
    { name: "read_text of dataset.json", sql: `SELECT * FROM read_text('${join(dataset, "dataset.json")}')`, refusal: /table function read_text\(\) is not allowed/ },
    { name: "read_json of the manifests", sql: `SELECT * FROM read_json('${join(dataset, "manifests", "*.json")}')`, refusal: /table function read_json\(\) is not allowed/ },
    { name: "glob over the dataset", sql: `SELECT * FROM glob('${join(dataset, "**")}')`, refusal: /table function glob\(\) is not allowed/ },
    { name: "parquet_metadata of a dataset file", sql: `SELECT * FROM parquet_metadata('${datasetFile("ttp_events")}')`, refusal: /table function parquet_metadata\(\) is not allowed/ },
    { name: "the view by its temp catalog", sql: "SELECT * FROM temp.main.ttp_events", refusal: /is not a table of this database/ },
    {
      name: "COPY over a dataset file",
      sql: `COPY (SELECT 1 AS a) TO '${datasetFile("ttp_events")}' (FORMAT parquet)`,
      refusal: /this is a COPY statement/,
    },
    {
      name: "COPY a new file into the dataset",
      sql: `COPY ttp_events TO '${join(dataset, "ttp_events", "9999999990-9999999999.parquet")}' (FORMAT parquet)`,
      refusal: /this is a COPY statement/,
      creates: join(dataset, "ttp_events", "9999999990-9999999999.parquet"),
    },
  ];
  for (const attack of [...own(), ...attacks(canariesProxy())]) {
    test(attack.name, async () => {
      const error = await errorOf(client.query({ sql: attack.sql }));
      expect([Code.PermissionDenied, Code.InvalidArgument]).toContain(error.code);
      expect(error.rawMessage).toMatch(attack.refusal);
      expect(canaries.leaked(error.rawMessage)).toBe(false);
      if ("creates" in attack && attack.creates) expect(existsSync(attack.creates)).toBe(false);
    });
  }

  test("DuckDB's own sandbox, allowing the dataset's folder, would read a planted canary: there the statement check is the fence", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await lockDown(instance, connection, { allowedDirectories: [dataset], allowedPaths: [] });
      const read = await connection.runAndReadAll(`SELECT secret FROM read_csv('${canaries.csv}')`);
      expect(canaries.leaked(JSON.stringify(read.getRowsJson()))).toBe(true);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  test("nothing in the dataset changed, and it verifies", async () => {
    expect(tree(dataset)).toEqual(before);
    const report = await verifyDataset(new FolderDatasetStore(dataset));
    expect(report.problems).toEqual([]);
  });

  test("the views read the dataset and the database as one ttp_events", async () => {
    const answer = await client.query({ sql: "SELECT count(*), count(DISTINCT ledger_sequence), sum(CASE WHEN ledger_sequence < 1000 THEN 1 ELSE 0 END) FROM ttp_events" });
    expect(answer.rows[0]!.values.map((v) => v.text)).toEqual(["708", "21", "40"]); // 668 of the dataset's 11 ledgers, 4 events in each of 10 live ledgers
  });
});

/** The attacks of issue 12 aimed at the canaries planted in the dataset (built before the canaries exist: paths only). */
function canariesProxy(): Canaries {
  const dir = join(dataset, "ttp_events", "canaries");
  return new Proxy({} as Canaries, {
    get: (_, key: string) =>
      ({ dir, csv: join(dir, "secret.csv"), json: join(dir, "secret.json"), parquet: join(dir, "secret.parquet"), passwd: join(dir, "passwd"), exported: join(dir, "exported") })[key],
  });
}
