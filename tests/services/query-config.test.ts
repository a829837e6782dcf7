// The SQL surface's limits as flags and environment of `bun run sink` and `bun run pipeline`, and the
// query concurrency the native thread pool leaves room for.
import { afterAll, describe, expect, test } from "bun:test";
import { queryConcurrency } from "../../src/sink/services/native-threads.ts";
import { parsePipelineArgs, UsageError } from "../../src/cli/pipeline-args.ts";
import { parseStageArgs } from "../../src/cli/stage-args.ts";
import { resolveQueryLimits, QueryLimitError } from "../../src/cli/query-args.ts";
import { QUERY_DEFAULTS } from "../../src/sink/services/query-limits.ts";
import { join } from "node:path";
import { runBunScript } from "../support/cli.ts";
import { tempDir } from "../sink/fixtures.ts";

const scratch = tempDir("stellar-flow-query-config-");
afterAll(() => scratch.remove());

describe("query limits", () => {
  test("defaults, then the environment, then flags", () => {
    expect(resolveQueryLimits({}, {})).toEqual(QUERY_DEFAULTS);
    const env = { STELLAR_FLOW_QUERY_TIMEOUT: "30s", STELLAR_FLOW_QUERY_MAX_ROWS: "500", STELLAR_FLOW_QUERY_MAX_RESULT_BYTES: "4MiB", STELLAR_FLOW_QUERY_CONCURRENCY: "3", STELLAR_FLOW_QUERY_QUEUE: "0" };
    expect(resolveQueryLimits({}, env)).toEqual({ ...QUERY_DEFAULTS, timeoutMs: 30_000, maxRows: 500, maxResultBytes: 4 * 1024 * 1024, concurrency: 3, maxWaiting: 0 });
    const flags = parsePipelineArgs(["--query-timeout", "1m", "--query-max-rows", "20", "--query-max-result-bytes", "1MB", "--query-concurrency", "4", "--query-queue", "5"]).query;
    expect(resolveQueryLimits(flags, env)).toEqual({ ...QUERY_DEFAULTS, timeoutMs: 60_000, maxRows: 20, maxResultBytes: 1_000_000, concurrency: 4, maxWaiting: 5 });
  });

  test("bun run sink takes the same flags", () => {
    expect(parseStageArgs("sink", ["--query-max-rows", "7", "--query-concurrency", "1"]).pipeline.query).toEqual({ maxRows: 7, concurrency: 1 });
  });

  test("a bad value names the flag or the variable", () => {
    expect(() => parsePipelineArgs(["--query-max-rows", "0"])).toThrow(new UsageError('--query-max-rows must be an integer from 1 to 10000000, got "0"'));
    expect(() => parsePipelineArgs(["--query-timeout", "soon"])).toThrow(/--query-timeout must be a duration such as 10s/);
    expect(() => parsePipelineArgs(["--query-max-result-bytes", "12 apples"])).toThrow(/--query-max-result-bytes must be a size such as 16MiB/);
    expect(() => resolveQueryLimits({}, { STELLAR_FLOW_QUERY_CONCURRENCY: "many" })).toThrow(new QueryLimitError('STELLAR_FLOW_QUERY_CONCURRENCY must be an integer from 1 to 64, got "many"'));
  });

  test("bun run sink stops on a bad value with exit code 2", async () => {
    const { code, stderr } = await runBunScript("src/cli/sink.ts", ["--db", join(scratch.path, "db.duckdb"), "--flowctl", "off", "--port", "0"], { STELLAR_FLOW_QUERY_QUEUE: "-1" });
    expect(code).toBe(2);
    expect(stderr).toContain('STELLAR_FLOW_QUERY_QUEUE must be an integer from 0 to 10000, got "-1"');
  });
});

describe("query concurrency and Bun's native threads", () => {
  test("as asked when the pool has room beside the writer's two threads", () => {
    expect(queryConcurrency(2, { UV_THREADPOOL_SIZE: "8" }, 2)).toEqual({ concurrency: 2, note: null });
    expect(queryConcurrency(6, { UV_THREADPOOL_SIZE: "8" }, 2)).toEqual({ concurrency: 6, note: null });
  });

  test("lowered, with the reason, when it has not", () => {
    const lowered = queryConcurrency(2, {}, 2);
    expect(lowered.concurrency).toBe(1);
    expect(lowered.note).toBe(
      "1 query at once, not 2: Bun's native thread pool has 2 threads (UV_THREADPOOL_SIZE unset: one per core) and the writer and event streams keep 2; start with UV_THREADPOOL_SIZE=4 or more (bun run sink and bun run pipeline set 8)",
    );
    expect(queryConcurrency(8, { UV_THREADPOOL_SIZE: "8" }, 2).concurrency).toBe(6);
  });
});
