// What a stopped run says about its sink: the last committed ledger as the sink holds it (a sink
// whose store gave up reads it back, e.g. DuckDbSink from the file).
import type { LedgerSink } from "./ledger-sink.ts";
import { messageOf } from "../common/message-of.ts";

export function committedLine(sink: LedgerSink): Promise<string> {
  return sink.cursor().then(
    (cursor) => (cursor === null ? `nothing committed to ${sink.location}` : `committed through ledger ${cursor.sequence} in ${sink.location}`),
    (error: unknown) => `could not read back what ${sink.location} holds: ${messageOf(error)}`,
  );
}
