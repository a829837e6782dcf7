// Run by Node (>= 20) from tests/edge/golden.test.ts: reads ledger ranges from a lake URL through
// the library entry `stellar-flow` (its built dist/lib, resolved by the package's exports) and
// prints every event row as NDJSON. Arguments: LAKE_URL RANGES_JSON TX_SET_CHECK(on|off) ADAPTERS(portable|node)
import { eventRows, openLake } from "stellar-flow";
import { nodeAdapters } from "stellar-flow/node";

const [lakeUrl, rangesJson, check, adapters] = process.argv.slice(2);
const lake = await openLake(lakeUrl, { checkTxSet: check === "on", ...(adapters === "node" ? nodeAdapters : {}) });
const out = [];
for (const [start, end] of JSON.parse(rangesJson)) {
  for await (const ledger of lake.ledgers(start, end)) for (const row of eventRows(ledger.events)) out.push(JSON.stringify(row));
}
process.stdout.write(out.map((line) => `${line}\n`).join(""));
console.error(`node ${process.version}: ${out.length} events`);
