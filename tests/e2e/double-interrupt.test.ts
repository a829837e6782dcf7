// Issue 13 item 2: Ctrl-C under `bun run` reaches the pipeline twice (the terminal signals the
// process group and bun run forwards it), and the second SIGINT used to kill it: no final commit,
// no "committed through" line, no flowctl unregister. Now the second one within a second is the same
// Ctrl-C; a later one forces the stop and says so.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DUPLICATE_WINDOW_MS, stopOnSignals } from "../../src/cli/interrupts.ts";
import { queryReadOnly, REPO } from "../support/cli.ts";
import { collect, flowctlClient, startTestFlowctl, waitFor } from "../support/flowctl.ts";
import { LEDGERS_DIR } from "../../scripts/fixtures/shared-ledgers.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import { cleanEnv } from "../processes/stage-processes.ts";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-interrupt-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const setsid = Bun.which("setsid");

describe("Ctrl-C", () => {
  test.skipIf(!setsid)("SIGINT to the process group of `bun run pipeline` (it arrives twice): the clean stop commits, reports and unregisters", async () => {
    // one ledger object every 150 ms, committed a group per second: ledgers wait uncommitted when the signal comes
    const slow = await S3TestServer.start({ root: LEDGERS_DIR, fault: (key) => (key.endsWith(".xdr.zst") ? { delayMs: 150 } : undefined) });
    const flowctl = startTestFlowctl();
    const db = join(work, "ctrl-c.duckdb");
    try {
      const args = ["--datalake", slow.url("pubnet"), "--concurrency", "1", "--batch-size", "1", "--start", "30822015", "--end", "30822025", "--db", db, "--health-ports", "0,0,0"];
      // setsid: a process group of its own, as a terminal gives a command
      const proc = Bun.spawn([setsid!, "bun", "run", "pipeline", ...args], {
        cwd: REPO,
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
        env: cleanEnv({ ENABLE_FLOWCTL: "true", FLOWCTL_ENDPOINT: flowctl.url, FLOWCTL_HEARTBEAT_INTERVAL: "100ms" }),
      });
      const stderr = collect(proc.stderr);
      const stdout = collect(proc.stdout);
      const client = flowctlClient(flowctl.url);
      await waitFor("four registrations (three components, the pipeline)", async () => ((await client.listServices({})).services.length === 4 ? true : undefined), 20_000);
      await waitFor("the run reading", () => (stderr.text().includes("reading ") ? true : undefined));
      await Bun.sleep(400);
      process.kill(-proc.pid, "SIGINT"); // the group: bun run and the pipeline; bun run forwards it again
      const code = await proc.exited;
      const text = await stderr.done;
      await stdout.done;
      expect(text).not.toContain("again: stopping now");
      const held = /stopped \(interrupted\): committed through ledger (\d+) in /.exec(text);
      expect(held).not.toBeNull();
      expect(code).toBe(1); // the clean stop of an interrupted range, as for a single SIGINT
      const committed = Number(held![1]);
      expect(await queryReadOnly(db, "SELECT max(sequence), count(*) FROM ledgers")).toEqual([[committed, BigInt(committed - 30822015 + 1)]]);
      expect((await client.listServices({})).services).toEqual([]); // every component unregistered
    } finally {
      await flowctl.stop();
      slow.stop();
    }
  }, 60_000);
});

describe("stopOnSignals", () => {
  function harness() {
    let clock = 0;
    const exits: number[] = [];
    const logs: string[] = [];
    const abort = new AbortController();
    const dispose = stopOnSignals(abort, { forcedNote: "what was committed stays", log: (m) => logs.push(m), exit: (code) => exits.push(code), now: () => clock });
    return { abort, exits, logs, dispose, advance: (ms: number) => (clock += ms) };
  }

  test("the first signal aborts; a second within the window is the same one; a third forces the stop and says so", () => {
    const h = harness();
    try {
      process.emit("SIGINT");
      expect(h.abort.signal.aborted).toBe(true);
      h.advance(5);
      process.emit("SIGINT");
      expect(h.exits).toEqual([]);
      h.advance(5);
      process.emit("SIGINT");
      expect(h.exits).toEqual([130]);
      expect(h.logs).toEqual(["SIGINT again: stopping now, without the clean stop (what was committed stays)"]);
    } finally {
      h.dispose();
    }
  });

  test("a second signal after the window is another Ctrl-C: it forces the stop", () => {
    const h = harness();
    try {
      process.emit("SIGTERM");
      h.advance(DUPLICATE_WINDOW_MS + 1);
      process.emit("SIGTERM");
      expect(h.exits).toEqual([130]);
    } finally {
      h.dispose();
    }
  });
});
