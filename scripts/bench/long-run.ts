// One long-run configuration in a process of its own, so that its peak RSS is its own:
// `bun scripts/bench/long-run.ts LAKE WORKERS LEDGERS BATCH DUCKDB_JSON` prints an EndToEndResult as JSON.
import { lakePath } from "../../tests/support/ledgers.ts";
import { endToEnd } from "./end-to-end.ts";
import { readLakeObjects } from "./lake-objects.ts";

const [lake, workers, ledgers, batch, duckdb] = Bun.argv.slice(2);
const objects = await readLakeObjects(lakePath(lake!), lake!);
const result = await endToEnd({
  lake: objects,
  path: "fast",
  workers: Number(workers),
  ledgers: Number(ledgers),
  fromDisk: false,
  ledgersPerBatch: Number(batch),
  duckdb: JSON.parse(duckdb ?? "{}") as Record<string, string>,
});
console.log(JSON.stringify(result));
