// `bun run replay-lake --from LAKE --ledgers N --out DIR [--start S] [--level L]`: writes a
// hash-chained SEP-54 lake of N ledgers numbered S..S+N-1, cycling the ledgers of LAKE (see
// scripts/fixtures/chained-ledgers/replay-lake.ts), e.g. 3,000 ledgers of the P23 load test for chaos and memory runs.
import { DEFAULT_REPLAY_START, generateReplayLake } from "./fixtures/chained-ledgers/replay-lake.ts";
import { messageOf } from "../src/common/message-of.ts";
import { readFlags, UsageError } from "../src/cli/flags.ts";
import { usageFailure } from "../src/cli/command.ts";

const USAGE = "usage: bun run replay-lake --from LAKE --ledgers N --out DIR [--start S (default 1000000)] [--skip-empty] [--level ZSTD_LEVEL (default 3)]\n  --skip-empty: cycle only the ledgers that hold transactions";

function integer(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`${flag} needs an integer, got ${JSON.stringify(value)}`);
  return n;
}

async function main(): Promise<number> {
  let options;
  try {
    const { values } = readFlags("bun run replay-lake", Bun.argv.slice(2), {
      from: { type: "string" }, ledgers: { type: "string" }, out: { type: "string" }, start: { type: "string" }, level: { type: "string" }, "skip-empty": { type: "boolean" }, help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.from || !values.out) throw new UsageError("--from and --out are required");
    options = { from: values.from, out: values.out, ledgers: integer(values.ledgers, "--ledgers"), start: integer(values.start, "--start", DEFAULT_REPLAY_START), level: integer(values.level, "--level", 3), skipEmpty: values["skip-empty"] ?? false };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageFailure("bun run replay-lake", error.message);
  }
  const started = performance.now();
  const interactive = process.stderr.isTTY === true;
  const lake = await generateReplayLake({ ...options, onProgress: (n) => interactive && process.stderr.write(`\r${n} / ${options.ledgers} ledgers`) });
  if (interactive) process.stderr.write("\r\x1b[2K");
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`wrote ${lake.dir}: ledgers ${lake.start}-${lake.end} (cycling ${lake.cycle.join(", ")} of ${options.from}), last hash ${lake.lastHash}, in ${seconds} s`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`error: ${messageOf(error)}`);
  process.exitCode = 1;
}
