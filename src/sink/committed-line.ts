// What a stopped run says about its database: the last committed ledger as the database holds it
// (DuckDbSink.cursor reads it back from the file if DuckDB gave up on the instance).
import type { DuckDbSink } from "./duckdb/duckdb-sink.ts";
import { duckdbErrorLine } from "./duckdb/duckdb-error.ts";

export function committedLine(sink: DuckDbSink): Promise<string> {
  return sink.cursor().then(
    (cursor) => (cursor === null ? `nothing committed to ${sink.path}` : `committed through ledger ${cursor} in ${sink.path}`),
    (error: unknown) => `could not read back what ${sink.path} holds: ${duckdbErrorLine(error)}`,
  );
}
