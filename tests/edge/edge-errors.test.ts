// Bad input to the edge API's bundle in workerd answers clearly: an unknown ledger 404 naming it,
// a range over the cap or reversed 400, a lake that does not answer or a corrupt object 502 naming
// the object, another network 409; the tx-set check as the CLI's; token, CORS, configuration and
// the Cache API for ledger objects.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lakePath, LEDGERS_DIR } from "../../scripts/fixtures/shared-ledgers.ts";
import { runBunScript } from "../support/cli.ts";
import { parseNdjson } from "../support/cli-rows.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import { startWorker, type RunningWorker } from "../../scripts/fixtures/workerd.ts";

const objectKey = (lake: string, seq: number) =>
  `${lake}/${(0xffffffff - (seq - (seq % 64000))).toString(16).toUpperCase()}--${seq - (seq % 64000)}-${seq - (seq % 64000) + 63999}/${(0xffffffff - seq).toString(16).toUpperCase()}--${seq}.xdr.zst`;

const UNREACHABLE = 9652679;
const GARBAGE = 9652698;
const TRUNCATED = 9710976;

let work: string;
let bundle: string;
let server: S3TestServer;
const workers: RunningWorker[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-edge-errors-"));
  const build = await runBunScript("scripts/build-edge.ts", ["--outdir", work]);
  expect(build.code).toBe(0);
  bundle = join(work, "worker.js");
  server = await S3TestServer.start({
    root: LEDGERS_DIR,
    fault: (key) => {
      if (key === objectKey("pubnet", UNREACHABLE)) return { status: 503, body: "slow down" };
      if (key === objectKey("pubnet", GARBAGE)) return { status: 200, body: "this is not zstd" };
      if (key === objectKey("pubnet", TRUNCATED)) return { truncate: true };
      return undefined;
    },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.dispose()));
  server?.stop();
  await rm(work, { recursive: true, force: true });
});

async function worker(bindings: Record<string, string>): Promise<RunningWorker> {
  const started = await startWorker(bundle, bindings);
  workers.push(started);
  return started;
}

async function answer(w: RunningWorker, path: string, init?: RequestInit): Promise<{ status: number; body: { error?: string; ledger?: number; object?: string } }> {
  const response = await w.fetch(path, init);
  return { status: response.status, body: (await response.json()) as { error?: string; ledger?: number; object?: string } };
}

describe("bad input answers clearly", () => {
  test("an unknown ledger: 404 naming the ledger and the object it would be in", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet") });
    const missing = await answer(w, "/v1/ledgers/5/events");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toStartWith("ledger 5 not found in the lake: expected FFFFFFFF--0-63999/FFFFFFFA--5.xdr.zst");
    expect(missing.body).toMatchObject({ ledger: 5, object: server.url("pubnet/FFFFFFFF--0-63999/FFFFFFFA--5.xdr.zst") });
    // a range running past the lake's last ledger names the first one missing
    const past = await answer(w, "/v1/ledgers/30822024-30822026/events");
    expect(past.status).toBe(404);
    expect(past.body.ledger).toBe(30822026);
  });

  test("a range over the cap, reversed or malformed: 400 saying why", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet"), STELLAR_FLOW_MAX_LEDGERS_PER_REQUEST: "5" });
    const long = await answer(w, "/v1/ledgers/30822015-30822025/events");
    expect(long).toEqual({ status: 400, body: { error: expect.stringContaining("holds 11 ledgers, more than the 5 one request may ask for") } });
    const reversed = await answer(w, "/v1/ledgers/30822025-30822015/events");
    expect(reversed).toEqual({ status: 400, body: { error: "ledger range 30822025-30822015 is reversed: the end comes before the start" } });
    for (const bad of ["abc", "0", "4294967296", "1-", "-5", "1.5"]) {
      const refused = await answer(w, `/v1/ledgers/${bad}/events`);
      expect({ bad, status: refused.status }).toEqual({ bad, status: 400 });
      expect(refused.body.error).toBeString();
    }
    // the same over Connect: OUT_OF_RANGE and INVALID_ARGUMENT
    const rpc = (body: object) =>
      w.fetch("/stellarflow.v1.LedgerEventsService/GetLedgerEvents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(await (await rpc({ startLedger: 30822015, endLedger: 30822025 })).json()).toMatchObject({ code: "out_of_range" });
    expect(await (await rpc({ startLedger: 30822025, endLedger: 30822015 })).json()).toMatchObject({ code: "invalid_argument" });
    const notFound = await rpc({ startLedger: 5 });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ code: "not_found", message: expect.stringContaining("ledger 5 not found") });
  });

  test("a lake that does not answer: 502 naming the manifest, or the object", async () => {
    const gone = await S3TestServer.start({ root: LEDGERS_DIR });
    const url = gone.url("pubnet");
    gone.stop();
    const w = await worker({ STELLAR_FLOW_DATALAKE: url });
    const closed = await answer(w, "/v1/ledgers/30822015/events");
    expect(closed.status).toBe(502);
    expect(closed.body.error).toContain("cannot read the data lake manifest");
    expect(closed.body.object).toBe(`${url}/.config.json`);

    const flaky = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet") });
    const unavailable = await answer(flaky, `/v1/ledgers/${UNREACHABLE}/events`);
    expect(unavailable.status).toBe(502);
    expect(unavailable.body).toMatchObject({ ledger: UNREACHABLE, object: server.url(objectKey("pubnet", UNREACHABLE)) });
    expect(unavailable.body.error).toContain("HTTP 503: slow down");
    expect(unavailable.body.error).toContain("gave up after 3 tries");
  });

  test("a corrupt object: 502 naming the object and what is wrong with it", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet") });
    const garbage = await answer(w, `/v1/ledgers/${GARBAGE}/events`);
    expect(garbage.status).toBe(502);
    expect(garbage.body).toMatchObject({ ledger: GARBAGE, object: server.url(objectKey("pubnet", GARBAGE)) });
    expect(garbage.body.error).toStartWith("not a zstd object: not a zstd frame at offset 0");
    const truncated = await answer(w, `/v1/ledgers/${TRUNCATED}/events`);
    expect(truncated.status).toBe(502);
    expect(truncated.body).toMatchObject({ ledger: TRUNCATED, object: server.url(objectKey("pubnet", TRUNCATED)) });
    expect(truncated.body.error).toMatch(/^not a zstd object: zstd .* cut short/);
  });

  test("a lake of another network: 409 naming both", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet"), STELLAR_FLOW_NETWORK: "testnet" });
    const wrong = await answer(w, "/v1/ledgers/30822015/events");
    expect(wrong.status).toBe(409);
    expect(wrong.body.error).toStartWith(
      'wrong network: asked for "Test SDF Network ; September 2015" but the lake holds "Public Global Stellar Network ; September 2015"',
    );
    expect(wrong.body.object).toBe(server.url("pubnet/.config.json"));
  });

  test("Accept with no type the route offers: 406 listing them", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet") });
    const response = await w.fetch("/v1/ledgers/30822015/events", { headers: { accept: "text/html" } });
    expect(response.status).toBe(406);
    expect(((await response.json()) as { error: string }).error).toContain("application/x-ndjson");
  });
});

describe("the transaction-set check, as the CLI's", () => {
  test("on by default: ledger 85 of standalone-p23 is refused by both, with the same reason; off, both serve it", async () => {
    const cli = await runBunScript("src/cli/pipeline.ts", [
      "--datalake", lakePath("standalone-p23"), "--start", "85", "--end", "85", "--db", join(work, "p23.duckdb"), "--flowctl", "off", "--health-ports", "off",
    ]);
    expect(cli.code).not.toBe(0);
    const reason = /the transaction set does not match the header: [^(]*/.exec(cli.stderr)?.[0];
    expect(reason).toContain("scpValue.txSetHash");

    const checked = await worker({ STELLAR_FLOW_DATALAKE: server.url("standalone-p23") });
    const refused = await answer(checked, "/v1/ledgers/85/events");
    expect(refused.status).toBe(502);
    expect(refused.body.error).toStartWith(`tampered or corrupt ledger: ${reason!}`);
    expect(refused.body.object).toBe(server.url("standalone-p23/FFFFFFFF--0-63999/FFFFFFAA--85.xdr.zst"));
    expect((await checked.fetch("/v1/ledgers/84/events")).status).toBe(200); // its header commits to what it holds

    const exported = join(work, "p23-85.ndjson");
    const cliUnchecked = await runBunScript("src/cli/pipeline.ts", [
      "--datalake", lakePath("standalone-p23"), "--start", "85", "--end", "85", "--db", join(work, "p23-unchecked.duckdb"), "--flowctl", "off", "--health-ports", "off",
      "--no-tx-set-check", "--export-json", exported,
    ]);
    expect(cliUnchecked.code).toBe(0);
    const unchecked = await worker({ STELLAR_FLOW_DATALAKE: server.url("standalone-p23"), STELLAR_FLOW_TX_SET_CHECK: "off" });
    const served = await unchecked.fetch("/v1/ledgers/85/events", { headers: { accept: "application/x-ndjson" } });
    expect(served.status).toBe(200);
    const rows = parseNdjson(await served.text());
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(parseNdjson(await readFile(exported, "utf8")));
  });
});

describe("access, configuration and caching", () => {
  test("with STELLAR_FLOW_API_TOKEN, every route but /livez wants it", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet"), STELLAR_FLOW_API_TOKEN: "s3cret" });
    expect((await w.fetch("/v1/ledgers/30822015/events")).status).toBe(401);
    expect((await w.fetch("/v1/ledgers/30822015/events", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const allowed = await w.fetch("/v1/ledgers/30822015/events", { headers: { authorization: "Bearer s3cret" } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("cache-control")).toStartWith("private");
    await allowed.arrayBuffer();
    expect((await w.fetch("/livez")).status).toBe(200);
    const rpc = await w.fetch("/stellarflow.v1.LedgerEventsService/GetLedgerEvents", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(rpc.status).toBe(401);
    expect(await rpc.json()).toMatchObject({ code: "unauthenticated" });
  });

  test("CORS: only the origins of STELLAR_FLOW_CORS_ORIGINS pass a preflight", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet"), STELLAR_FLOW_CORS_ORIGINS: "http://app.test" });
    const preflight = (origin: string) =>
      w.fetch("/stellarflow.v1.LedgerEventsService/GetLedgerEvents", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,connect-protocol-version" },
      });
    expect((await preflight("http://app.test")).headers.get("access-control-allow-origin")).toBe("http://app.test");
    expect((await preflight("http://evil.test")).headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a bad binding: every request answers 500 naming the variable", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet"), STELLAR_FLOW_MAX_LEDGERS_PER_REQUEST: "lots" });
    const misconfigured = await answer(w, "/v1/ledgers/30822015/events");
    expect(misconfigured.status).toBe(500);
    expect(misconfigured.body.error).toContain("STELLAR_FLOW_MAX_LEDGERS_PER_REQUEST must be a whole number");
    const ftp = await worker({ STELLAR_FLOW_DATALAKE: "ftp://example.test/lake" });
    expect((await answer(ftp, "/livez")).body.error).toContain("STELLAR_FLOW_DATALAKE must be an http(s) URL");
  });

  test("ledger objects come from the Cache API once read: the lake is asked once", async () => {
    const w = await worker({ STELLAR_FLOW_DATALAKE: server.url("pubnet") });
    const key = objectKey("pubnet", 53312000);
    const before = server.hits(key);
    const first = await (await w.fetch("/v1/ledgers/53312000/events?format=ndjson")).text();
    const second = await (await w.fetch("/v1/ledgers/53312000/events?format=ndjson")).text();
    expect(second).toBe(first);
    expect(first.length).toBeGreaterThan(0);
    expect(server.hits(key) - before).toBe(1);
  });
});
