// The long run in a process of its own, so that its peak RSS is its own: the lakes are replayed one
// after the other (each keeps its network) in this one process.
// `bun scripts/bench/long-run.ts LAKE[,LAKE...] WORKERS LEDGERS_PER_LAKE BATCH DUCKDB_JSON GROUP_COMMIT_JSON` prints
// [{ lake, result: EndToEndResult }, ...] as JSON.
import { lakePath } from "../fixtures/shared-ledgers.ts";
import { endToEnd, type EndToEndOptions, type EndToEndResult } from "./end-to-end.ts";
import { readLakeObjects } from "./lake-objects.ts";

const [lakes, workers, ledgers, batch, duckdb, groupCommit] = Bun.argv.slice(2);
const parts: { lake: string; result: EndToEndResult }[] = [];
for (const lake of lakes!.split(",")) {
  const objects = await readLakeObjects(lakePath(lake), lake);
  const result = await endToEnd({
    lake: objects,
    path: "fast",
    workers: Number(workers),
    ledgers: Number(ledgers),
    fromDisk: false,
    ledgersPerBatch: Number(batch),
    duckdb: JSON.parse(duckdb ?? "{}") as Record<string, string>,
    groupCommit: JSON.parse(groupCommit ?? "null") as EndToEndOptions["groupCommit"],
  });
  parts.push({ lake, result });
}
console.log(JSON.stringify(parts));
