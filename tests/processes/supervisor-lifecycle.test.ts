// `bun run pipeline --processes` when the world gets in the way: a database another process holds
// is waited for (a lock conflict is transient), and killing the supervisor with SIGKILL takes its
// children with it (none left adopted by init, holding ports).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { collect, waitFor } from "../support/flowctl.ts";
import { REPO } from "../support/cli.ts";
import { alive, allRows, killAll, spawnCli, type Child } from "./stage-processes.ts";
import { Supervisor } from "../../src/supervisor/supervisor.ts";

const RANGE = ["--start", "30822015", "--end", "30822025"];
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-lifecycle-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Pids of the processes whose parent is `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** A process holding `db` open for writing (as a pipeline or a query would) until killed; resolves once it holds it. */
async function holdDatabase(db: string): Promise<Child> {
  // The instance and connection stay referenced: collected, they would let go of the lock.
  const script = `const { DuckDBInstance } = require("@duckdb/node-api"); const i = await DuckDBInstance.create(${JSON.stringify(db)}); globalThis.held = [i, await i.connect()]; console.log("holding"); setInterval(() => globalThis.held, 1000);`;
  const proc = Bun.spawn(["bun", "-e", script], { cwd: REPO, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const stdout = collect(proc.stdout);
  const stderr = collect(proc.stderr);
  const child: Child = { name: "holder", proc, stdout, stderr, done: Promise.all([proc.exited, stdout.done, stderr.done]).then(([code, o, e]) => ({ code, stdout: o, stderr: e })) };
  await waitFor("the holder to open the database", () => (stdout.text().includes("holding") ? true : undefined), 15_000);
  return child;
}

describe("bun run pipeline --processes", () => {
  test("a sink that finds its database locked by another process waits for it (naming the holder), then commits the range", async () => {
    const db = join(work, "locked.duckdb");
    const holder = await holdDatabase(db);
    const run = spawnCli("pipeline", ["--processes", "--flowctl", "off", "--datalake", lakePath("pubnet"), ...RANGE, "--db", db, "--workers", "0"]);
    try {
      const said = await waitFor("the supervisor retrying the locked sink", () => /supervisor: sink could not start yet \(exit code 75: .*\)[^\n]*/.exec(run.stderr.text())?.[0], 30_000);
      expect(said).toContain(`the database ${db} is locked by PID ${holder.proc.pid} (bun -e `);
      expect(said).toMatch(/starting it again in \d+ ms \(attempt 1 of 12\)$/);
      expect(run.proc.exitCode).toBeNull(); // still waiting, not failed
      holder.proc.kill("SIGKILL");
      await holder.proc.exited;
      const result = await run.done;
      expect(result.stderr).not.toContain("stopped for good");
      expect(result.code).toBe(0);
      expect((await allRows(db)).ledgers).toHaveLength(11);
    } finally {
      await killAll([run, holder]);
    }
  }, 90_000);

  test("SIGKILL of the supervisor: flowctl, source, processor and sink stop too, and free their ports", async () => {
    if (process.platform !== "linux") return; // reads /proc
    const db = join(work, "orphans.duckdb");
    const run = spawnCli("pipeline", ["--processes", "--datalake", lakePath("pubnet"), ...RANGE, "--db", db, "--batch-size", "1", "--max-ledgers-per-second", "1", "--workers", "0"]);
    let children: number[] = [];
    try {
      const url = await waitFor("the pipeline's /health", () => /health at (\S+)/.exec(run.stderr.text())?.[1], 15_000);
      const health = await waitFor("every stage running", async () => {
        const h = (await (await fetch(url, { signal: AbortSignal.timeout(3000) })).json()) as { stages: { state: string; url: string }[] };
        return h.stages.every((s) => s.state === "running") ? h : undefined;
      }, 30_000);
      children = await waitFor("four children", async () => {
        const pids = await childrenOf(run.proc.pid);
        return pids.length === 4 ? pids : undefined;
      }, 15_000);
      run.proc.kill("SIGKILL");
      await run.proc.exited;
      await waitFor("every child gone", () => (children.every((pid) => !alive(pid)) ? true : undefined), 20_000);
      for (const { url: stageUrl } of health.stages) {
        const refused = await fetch(`${stageUrl}/health`, { signal: AbortSignal.timeout(2000) }).then(
          () => false,
          () => true,
        );
        expect(refused).toBe(true);
      }
    } finally {
      for (const pid of children) if (alive(pid)) process.kill(pid, "SIGKILL");
      await killAll([run]);
    }
  }, 90_000);
});

describe("Supervisor", () => {
  /** A child that says why on stderr and exits 75 until it has run `failures` times, then exits 0. */
  const flaky = (counter: string, failures: number) => [
    process.execPath,
    "-e",
    `const fs = require("node:fs"); const n = fs.existsSync(${JSON.stringify(counter)}) ? Number(fs.readFileSync(${JSON.stringify(counter)}, "utf8")) : 0; fs.writeFileSync(${JSON.stringify(counter)}, String(n + 1)); if (n < ${failures}) { console.error("error: locked by PID 42 (run " + n + ")"); process.exit(75); }`,
  ];

  test("a transient exit code is retried with backoff on a budget of its own, saying why; crash restarts stay untouched", async () => {
    const logs: string[] = [];
    const final = Promise.withResolvers<{ code: number | null; reason: string }>();
    const supervisor = new Supervisor({ cwd: REPO, initialBackoffMs: 10, maxBackoffMs: 40, output: () => {}, log: (m) => logs.push(m), onFinal: (_, code, reason) => final.resolve({ code, reason }) });
    supervisor.start({ name: "sink", cmd: flaky(join(work, "flaky-3"), 3), finalCodes: [0, 1], transientCodes: [75] });
    expect(await final.promise).toEqual({ code: 0, reason: "exit code 0" });
    const state = supervisor.states.get("sink")!;
    expect([state.transientRetries, state.restarts, state.state]).toEqual([3, 0, "exited"]);
    expect(logs).toEqual([
      "supervisor: sink could not start yet (exit code 75: locked by PID 42 (run 0)); starting it again in 10 ms (attempt 1 of 12)",
      "supervisor: sink could not start yet (exit code 75: locked by PID 42 (run 1)); starting it again in 20 ms (attempt 2 of 12)",
      "supervisor: sink could not start yet (exit code 75: locked by PID 42 (run 2)); starting it again in 40 ms (attempt 3 of 12)",
    ]);
    await supervisor.stop();
  });

  test("past its budget, a transient exit is final, with the reason", async () => {
    const final = Promise.withResolvers<{ code: number | null; reason: string }>();
    const supervisor = new Supervisor({ cwd: REPO, maxTransientRetries: 2, initialBackoffMs: 10, output: () => {}, log: () => {}, onFinal: (_, code, reason) => final.resolve({ code, reason }) });
    supervisor.start({ name: "sink", cmd: flaky(join(work, "flaky-forever"), 99), finalCodes: [0, 1], transientCodes: [75] });
    expect(await final.promise).toEqual({ code: 75, reason: "exit code 75: locked by PID 42 (run 2); tried again 2 times already" });
    expect(supervisor.states.get("sink")!.state).toBe("failed");
    await supervisor.stop();
  });
});
