// STELLAR_FLOW_API_TOKEN set for `bun run pipeline --processes`: every stage's server wants it (the
// data streams between them too, and each downstream sends it), the supervisor's /health wants it
// and reads the children's /health with it, and the run commits its range as without a token.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { waitFor } from "../support/flowctl.ts";
import { killAll, spawnCli } from "./stage-processes.ts";

const TOKEN = "pipeline-t0ken";
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-api-token-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface PipelineHealth {
  stages: { stage: string; url: string; health: { status: string; last_ledger: number | null } | null }[];
}

test("bun run pipeline --processes with a token: stages stream to each other with it, /health wants it, the range is committed", async () => {
  const db = join(work, "token.duckdb");
  const run = spawnCli("pipeline", ["--processes", "--datalake", lakePath("pubnet"), "--start", "30822015", "--end", "30822022", "--db", db, "--batch-size", "1", "--max-ledgers-per-second", "1", "--workers", "0"], { STELLAR_FLOW_API_TOKEN: TOKEN });
  try {
    const url = await waitFor("the pipeline's /health", () => /health at (\S+)/.exec(run.stderr.text())?.[1], 15_000);
    expect((await fetch(url)).status).toBe(401);
    const health = await waitFor("every stage's health, read with the token", async () => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(3000) });
      const report = (await response.json()) as PipelineHealth;
      return report.stages.every((s) => s.health !== null) ? report : undefined;
    }, 30_000);
    for (const stage of health.stages) {
      expect([stage.stage, (await fetch(`${stage.url}/health`)).status]).toEqual([stage.stage, 401]);
      expect([stage.stage, (await fetch(`${stage.url}/livez`)).status]).toEqual([stage.stage, 200]);
    }
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("committed    8 ledgers");
    expect(result.stderr).not.toMatch(/answered 401|needs a token|token is not valid/);
  } finally {
    await killAll([run]);
  }
}, 90_000);
