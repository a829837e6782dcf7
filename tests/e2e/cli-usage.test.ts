// Every command as `bun run <command>` meets a user who gets a flag wrong or asks for help: one line
// `error: ...` and where the help is (no stack trace, no whole usage burying it), help that shows only
// the flags a command takes, and no echo of the long environment command line `bun run` would print.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../support/cli.ts";
import { collect, waitFor } from "../support/flowctl.ts";
import { processTree } from "../../scripts/chaos/process-tree.ts";
import { parseStageArgs, STAGE_FLAGS, STAGE_PIPELINE_FLAGS, stageHelp, type StageName } from "../../src/cli/stage-args.ts";
import { PIPELINE_HELP } from "../../src/cli/pipeline-args.ts";
import { splitPipelineArgs } from "../../src/cli/split-args.ts";
import { tempDir } from "../sink/fixtures.ts";

const work = tempDir("stellar-flow-cli-usage-");
afterAll(() => work.remove());

/** `bun run <script> args` as a user types it. */
async function bunRun(script: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/FLOWCTL|STELLAR_FLOW/.test(key)) delete env[key];
  const proc = Bun.spawn(["bun", "run", script, ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe", stdin: "ignore", env });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const usage = (command: string, message: string) => ({ code: 2, stdout: "", stderr: `error: ${message}\ntry: bun run ${command} --help\n` });

const COMMANDS = ["pipeline", "source", "processor", "sink", "query", "flowctl", "bench", "gen", "chaos", "replay-lake", "backfill"] as const;

describe("flag errors", () => {
  test.each(COMMANDS.map((command) => [command]))("bun run %s --bogus: one line naming the flag, then where the help is", async (command) => {
    expect(await bunRun(command, "--bogus")).toEqual(usage(command, `--bogus is not a flag of bun run ${command}`));
  });

  test("a flag a letter away names the one probably meant; a value missing or out of place says so", async () => {
    expect(await bunRun("pipeline", "--datalak", "x")).toEqual(usage("pipeline", "--datalak is not a flag of bun run pipeline (did you mean --datalake?)"));
    expect(await bunRun("pipeline", "--db")).toEqual(usage("pipeline", "--db needs a value"));
    expect(await bunRun("pipeline", "--db", "--verify")).toEqual(usage("pipeline", '--db needs a value, got the flag --verify (a value that begins with "-" goes as --db=VALUE)'));
    expect(await bunRun("pipeline", "--verify=yes")).toEqual(usage("pipeline", '--verify takes no value (got "yes")'));
    expect(await bunRun("pipeline", "30822015")).toEqual(usage("pipeline", 'unexpected argument "30822015": bun run pipeline takes flags only'));
    expect(await bunRun("sink", "--datalake", "x")).toEqual(usage("sink", "--datalake is not a flag of bun run sink"));
    expect(await bunRun("bench", "--ledgers", "lots")).toEqual(usage("bench", '--ledgers must be a positive integer, got "lots"'));
    expect(await bunRun("flowctl", "--port", "http")).toEqual(usage("flowctl", '--port must be an integer from 0 to 65535, got "http"'));
    expect(await bunRun("pipeline", "--assets", "USDC")).toEqual(usage("pipeline", '--assets: "USDC" is not an asset (native or CODE:ISSUER)'));
  });
});

describe("subcommands' flags", () => {
  test("bench --backfill and backfill worker: the same one-line errors, naming the subcommand", async () => {
    expect(await bunRun("bench", "--backfill", "--rounds", "0")).toEqual(usage("bench --backfill", '--rounds must be a positive integer, got "0"'));
    expect(await bunRun("bench", "--backfill", "--bogus")).toEqual(usage("bench --backfill", "--bogus is not a flag of bun run bench --backfill"));
    expect(await bunRun("backfill", "worker", "--shard-sise", "3")).toEqual(usage("backfill", "--shard-sise is not a flag of bun run backfill worker (did you mean --shard-size?)"));
  });
});

describe("flag names with a digit", () => {
  test("--s3-endpoint reaches bun run source, alone and as its share of pipeline --processes", () => {
    const flags = ["--datalake", "s3://bucket/lake", "--s3-endpoint", "http://127.0.0.1:9000"];
    expect(parseStageArgs("source", flags).pipeline.source.s3Endpoint).toBe("http://127.0.0.1:9000");
    expect(splitPipelineArgs([...flags, "--db", "d.duckdb"]).stages.source).toEqual(flags);
  });
});

describe("help", () => {
  test("bun run bench --help prints its usage and runs nothing", async () => {
    const run = await bunRun("bench", "--help");
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toStartWith("Usage: bun run bench [--quick] [--json FILE] [--workers 1,2] [--ledgers N] [--batch-size N]\n");
  });

  test("bun run gen --help prints help and leaves src/gen alone", async () => {
    const generated = join(REPO, "src", "gen", "stellarflow", "v1", "query_service_pb.ts");
    const before = statSync(generated).mtimeMs;
    const run = await bunRun("gen", "--help");
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toStartWith("Usage: bun run gen\n");
    expect(statSync(generated).mtimeMs).toBe(before);
  });

  test.each((["source", "processor", "sink"] as const).map((stage) => [stage]))("bun run %s --help lists exactly the flags it takes", (stage: StageName) => {
    const help = stageHelp(stage, PIPELINE_HELP);
    const listed = new Set([...help.matchAll(/^ {2}(?:-\w, )?--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!));
    const takes = new Set([...Object.keys(STAGE_FLAGS[stage]), ...STAGE_PIPELINE_FLAGS[stage].filter((flag) => flag.length > 1)]);
    expect([...listed].sort()).toEqual([...takes].sort());
    // and each one listed is one the command accepts
    for (const flag of listed) {
      try {
        parseStageArgs(stage, [`--${flag}`, "1"]);
      } catch (error) {
        expect(String(error)).not.toContain("is not a flag of");
      }
    }
    expect(help).not.toContain("Examples");
  });
});

describe("bun run", () => {
  test("echoes no command line, and the command still starts with its memory and thread-pool settings", async () => {
    const proc = Bun.spawn(["bun", "run", "sink", "--db", join(work.path, "served.duckdb"), "--port", "0", "--flowctl", "off"], {
      cwd: REPO,
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
      env: { ...process.env, BUN_JSC_forceRAMSize: "", UV_THREADPOOL_SIZE: "" },
    });
    const stderr = collect(proc.stderr);
    try {
      await waitFor("the sink serving", () => (stderr.text().includes("sink: serving") ? true : undefined), 15_000);
      const sink = processTree(proc.pid).find((p) => p.command.startsWith("bun src/cli/sink.ts"))!;
      const environ = readFileSync(`/proc/${sink.pid}/environ`, "utf8").split("\0");
      expect(environ).toContain("BUN_JSC_forceRAMSize=402653184");
      expect(environ).toContain("UV_THREADPOOL_SIZE=8");
    } finally {
      proc.kill("SIGTERM");
      for (const p of processTree(proc.pid)) if (p.pid !== proc.pid) process.kill(p.pid, "SIGTERM");
    }
    await proc.exited;
    const output = await stderr.done;
    expect(output).toStartWith("sink: serving "); // not "$ BUN_JSC_forceRAMSize=... bun src/cli/sink.ts ..."
    expect(output).not.toContain("BUN_JSC_forceRAMSize");
  });
});
