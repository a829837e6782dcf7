// `bun run sink` never commits across a gap: resuming a database that holds 30820015 from a source
// started at 30822015 is refused (issue 12 item 8: it committed 30822015-30822025 and exited 0),
// naming the cursor, the ledger that came and what to run; --start starts the database over on
// purpose, and `pipeline --processes` passes its --start on (a restarted sink resumes without it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Supervisor } from "../../src/supervisor/supervisor.ts";
import { splitPipelineArgs, withoutFlag } from "../../src/cli/split-args.ts";
import { queryReadOnly } from "../support/cli.ts";
import { freePort } from "../support/flowctl.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { killAll, spawnCli, type Child } from "./stage-processes.ts";

const HELD = 30820015;
const FIRST = 30822015;
const LAST = 30822025;
const range = (start: number, end: number) => Array.from({ length: end - start + 1 }, (_, i) => start + i);
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-sink-gap-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const ledgersIn = async (db: string) => (await queryReadOnly(db, "SELECT sequence FROM ledgers ORDER BY sequence")).map((r) => r[0]);

/** A database holding ledger 30820015 only. */
async function databaseHolding(name: string): Promise<string> {
  const db = join(work, name);
  const made = await spawnCli("pipeline", ["--datalake", lakePath("pubnet"), "--start", String(HELD), "--db", db, "--health-ports", "off", "--flowctl", "off"]).done;
  expect(made.code).toBe(0);
  expect(await ledgersIn(db)).toEqual([HELD]);
  return db;
}

describe("bun run sink and the gap rule", () => {
  test("a source that starts past the sink's cursor is refused; --start starts the database over there", async () => {
    const db = await databaseHolding("gap.duckdb");
    const [sourcePort, processorPort] = [freePort(), freePort()];
    const children: Child[] = [
      spawnCli("source", ["--datalake", lakePath("pubnet"), "--start", String(FIRST), "--end", String(LAST), "--port", String(sourcePort), "--flowctl", "off"]),
      spawnCli("processor", ["--upstream", `http://127.0.0.1:${sourcePort}/v1/ledgers`, "--port", String(processorPort), "--workers", "0", "--flowctl", "off"]),
    ];
    try {
      const sinkArgs = ["--db", db, "--upstream", `http://127.0.0.1:${processorPort}/v1/events`, "--port", "0", "--flowctl", "off"];
      const refused = await spawnCli("sink", sinkArgs).done;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `error: database ${db} holds ledgers through ${HELD} (its cursor), but ledger ${FIRST} arrived next: ledgers ${HELD + 1}-${FIRST - 1} would be missing; nothing from ledger ${FIRST} on was committed.`,
      );
      expect(refused.stderr).toContain(`bun run source --start ${HELD + 1}`);
      expect(refused.stderr).toContain(`run the sink with --start ${FIRST}`);
      expect(refused.stderr).toContain(`committed through ledger ${HELD} in ${db}`);
      expect(await ledgersIn(db)).toEqual([HELD]);

      const startedOver = await spawnCli("sink", [...sinkArgs, "--start", String(FIRST)]).done;
      expect(startedOver.code).toBe(0);
      expect(startedOver.stderr).toContain(`sink: starting at ledger ${FIRST}, as asked (--start)`);
      expect(await ledgersIn(db)).toEqual([HELD, ...range(FIRST, LAST)]);
    } finally {
      await killAll(children);
    }
  }, 60_000);

  test("pipeline --processes hands its --start to the sink: the database starts over there", async () => {
    const db = await databaseHolding("processes.duckdb");
    const run = await spawnCli("pipeline", ["--processes", "--datalake", lakePath("pubnet"), "--start", String(FIRST), "--end", String(LAST), "--db", db, "--workers", "0", "--flowctl", "off"]).done;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`[sink] sink: starting at ledger ${FIRST}, as asked (--start)`);
    expect(await ledgersIn(db)).toEqual([HELD, ...range(FIRST, LAST)]);
  }, 60_000);

  test("the sink gets --start, and a restarted sink runs without it (it resumes)", async () => {
    const { stages } = splitPipelineArgs(["--datalake", "x", "--start", "5", "--end", "9", "--db", "d.duckdb"]);
    expect(stages.sink).toEqual(["--start", "5", "--db", "d.duckdb"]);
    expect(withoutFlag(stages.sink, "start")).toEqual(["--db", "d.duckdb"]);
    expect(withoutFlag(["--start=5", "--db", "d"], "start")).toEqual(["--db", "d"]);

    const lines: string[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const supervisor = new Supervisor({ cwd: work, initialBackoffMs: 10, output: (_, __, line) => lines.push(line), onFinal: () => finished(), log: () => {} });
    supervisor.start({ name: "sink", cmd: ["sh", "-c", "echo first start; exit 3"], restartCmd: ["sh", "-c", "echo restarted; exit 0"], finalCodes: [0] });
    await done;
    expect(lines).toEqual(["first start", "restarted"]);
  });
});
