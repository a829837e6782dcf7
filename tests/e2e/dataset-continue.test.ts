// A backfilled dataset read with live data as one: `bun run pipeline --dataset DIR` continues after
// the dataset's last ledger (chained to its manifest) into DuckDB; `bun run query --dataset`, and the
// sink's QueryService and event stream, show the dataset's rows and the database's as one
// `ttp_events` and `ledgers`: the rows of one pipeline run over the whole range, no duplicate, no gap.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Hono } from "hono";
import { EventService } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { serveApp } from "../../src/http/serve-app.ts";
import { openSink } from "../../src/sink/open-sink.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { queryReadOnly, runBunScript } from "../support/cli.ts";
import { tempDir } from "../backfill/support.ts";

setDefaultTimeout(60_000);

const LAKE = lakePath("pubnet");
const dir = tempDir("stellar-flow-dataset-continue-");
const dataset = join(dir.path, "dataset");
const referenceDb = join(dir.path, "reference.duckdb");
const liveDb = join(dir.path, "live.duckdb");
const common = ["--datalake", LAKE, "--health-ports", "off", "--flowctl", "off"];
const EVENTS = "SELECT * FROM ttp_events ORDER BY ledger_sequence, event_index";
const LEDGERS = "SELECT * FROM ledgers ORDER BY sequence";

const query = async (sql: string, ...flags: string[]) => {
  const run = await runBunScript("src/cli/query.ts", [...flags, "--format", "json", sql]);
  if (run.code !== 0) throw new Error(`bun run query failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
};

beforeAll(async () => {
  // the reference: one pipeline run over the whole range
  const reference = await runBunScript("src/cli/pipeline.ts", [...common, "--start", "30822015", "--end", "30822025", "--db", referenceDb]);
  if (reference.code !== 0) throw new Error(reference.stderr);
  // the history: a backfill of the first 6 ledgers
  const backfill = await runBunScript("src/cli/backfill.ts", ["--datalake", LAKE, "--start", "30822015", "--end", "30822020", "--out", dataset, "--shard-size", "4"]);
  if (backfill.code !== 0) throw new Error(backfill.stderr);
});
afterAll(() => dir.remove());

describe("bun run pipeline --dataset DIR", () => {
  test("a new database continues after the dataset's last ledger; query --dataset --db shows the reference's rows, once each", async () => {
    const run = await runBunScript("src/cli/pipeline.ts", [...common, "--dataset", dataset, "--end", "30822025", "--db", liveDb]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("a new database continuing the dataset after its last ledger, 30822020");
    expect(run.stderr).toContain("ledgers 30822021-30822025");
    // the database holds only what came after the dataset
    expect(await queryReadOnly(liveDb, "SELECT min(sequence), max(sequence), count(*) FROM ledgers")).toEqual([[30_822_021, 30_822_025, 5n]]);
    // run again: nothing new (the database's cursor is past the dataset)
    const again = await runBunScript("src/cli/pipeline.ts", [...common, "--dataset", dataset, "--end", "30822025", "--db", liveDb]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("nothing new: ledgers through 30822025 are committed");

    expect(await query(EVENTS, "--dataset", dataset, "--db", liveDb)).toEqual(await query(EVENTS, "--db", referenceDb));
    expect(await query(LEDGERS, "--dataset", dataset, "--db", liveDb)).toEqual(await query(LEDGERS, "--db", referenceDb));
    // the dataset alone: its own 6 ledgers
    expect(await query("SELECT count(*)::INTEGER AS n, max(sequence) AS last FROM ledgers", "--dataset", dataset)).toEqual([{ n: 6, last: 30_822_020 }]);
  });

  test("--processes: the supervisor plans the same continuation (not a new database's latest ledgers)", async () => {
    const processesDb = join(dir.path, "processes.duckdb");
    const run = await runBunScript("src/cli/pipeline.ts", ["--processes", "--datalake", LAKE, "--dataset", dataset, "--end", "30822025", "--db", processesDb]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("a new database continuing the dataset after its last ledger, 30822020");
    expect(await queryReadOnly(processesDb, "SELECT min(sequence), max(sequence), count(*) FROM ledgers")).toEqual([[30_822_021, 30_822_025, 5n]]);
    expect(await query(EVENTS, "--dataset", dataset, "--db", processesDb)).toEqual(await query(EVENTS, "--db", referenceDb));
  });

  test("a dataset whose last manifest names another hash: the first live ledger is refused, naming it", async () => {
    const forged = join(dir.path, "forged");
    cpSync(dataset, forged, { recursive: true });
    const manifest = join(forged, "manifests", "0030822020-0030822020.json");
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, "utf8")), lastHash: "ab".repeat(32) }));
    const run = await runBunScript("src/cli/pipeline.ts", [...common, "--dataset", forged, "--end", "30822025", "--db", join(dir.path, "forged.duckdb")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("30822021");
    expect(run.stderr).toContain("ab".repeat(32));
    expect(run.stderr).toContain(`removed ${join(dir.path, "forged.duckdb")}, which this run created and never committed to`);
  });

  test("a --start inside the dataset is refused: those ledgers are the dataset's", async () => {
    const run = await runBunScript("src/cli/pipeline.ts", [...common, "--dataset", dataset, "--start", "30822019", "--end", "30822025", "--db", join(dir.path, "overlap.duckdb")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`ledger 30822019 is held by dataset ${dataset} (pubnet, ledgers 30822015-30822020)`);
    expect(run.stderr).toContain("continues it from ledger 30822021");
  });

  test("--dataset of another network is refused", async () => {
    const testnet = await runBunScript("src/cli/pipeline.ts", ["--datalake", lakePath("testnet"), "--health-ports", "off", "--flowctl", "off", "--dataset", dataset, "--start", "997", "--db", join(dir.path, "testnet.duckdb")]);
    expect(testnet.code).toBe(1);
    expect(testnet.stderr).toContain(`--dataset ${dataset} holds ledgers of pubnet; this run reads testnet`);
  });
});

describe("the sink's services over the database and the dataset", () => {
  test("QueryService and StreamEvents read one ttp_events across the seam; sink_cursor is the union's", async () => {
    const opened = await openSink(liveDb, { queryConcurrency: 2, dataset, network: NETWORK_PASSPHRASES.pubnet });
    const services = (await opened.clientServices({ token: null, corsOrigins: [] }))!;
    const app = new Hono();
    services.mount(app);
    const server = serveApp(app.fetch, { host: "127.0.0.1", port: 0, websocket: services.websocket, idleTimeout: 0 });
    try {
      const transport = createConnectTransport({ baseUrl: server.url, defaultTimeoutMs: 20_000 });
      const answer = await createClient(QueryService, transport).query({
        sql: "SELECT count(*) AS events, count(DISTINCT (ledger_sequence, event_index)) AS keys, min(ledger_sequence) AS first, max(ledger_sequence) AS last FROM ttp_events",
      });
      expect(answer.rows[0]!.values.map((v) => v.text)).toEqual(["668", "668", "30822015", "30822025"]);
      const reference = (await queryReadOnly(referenceDb, "SELECT tx_hash, event_index FROM ttp_events WHERE ledger_sequence BETWEEN 30822019 AND 30822022 ORDER BY ledger_sequence, event_index")).map(
        ([hash, index]) => `${hash}/${index}`,
      );
      const streamed: string[] = [];
      for await (const page of createClient(EventService, transport).streamEvents({ startLedger: 30_822_019, endLedger: 30_822_022 })) {
        streamed.push(...page.events.map((e) => `${e.txHash}/${e.eventIndex}`));
      }
      expect(streamed).toEqual(reference);
      const cursor = await createClient(QueryService, transport).query({ sql: "SELECT last_ledger FROM sink_cursor" });
      expect(cursor.rows[0]!.values[0]!.text).toBe("30822025");
    } finally {
      await server.stop();
      await opened.close();
    }
  });
});
