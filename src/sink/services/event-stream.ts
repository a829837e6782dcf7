// The event stream behind EventService and /ws: committed events from the start ledger (catch-up),
// then each newly committed ledger (live). One keyset position (ledger, event_index) carries over
// from catch-up to live, and every read is bounded by a ledger the hub reported committed, so no
// event is sent twice or skipped.
import type { CommitHub } from "./commit-hub.ts";
import { readEventPage, type EventFilter, type EventRow } from "./event-rows.ts";
import type { ServiceDatabase } from "./service-database.ts";

export interface EventPage {
  readonly events: EventRow[];
  /** Every matching event of ledgers up to this one has been sent (-1: none yet). */
  readonly throughLedger: number;
}

export interface EventStreamOptions {
  readonly pageSize?: number;
  /** With nothing new, a progress page after this long (keeps idle connections open). */
  readonly idleMs?: number;
}

export async function* streamEvents(
  db: ServiceDatabase,
  hub: CommitHub,
  filter: EventFilter,
  signal: AbortSignal,
  options: EventStreamOptions = {},
): AsyncGenerator<EventPage> {
  const pageSize = options.pageSize ?? 500;
  const idleMs = options.idleMs ?? 5000;
  const end = filter.endLedger > 0 ? filter.endLedger : Number.POSITIVE_INFINITY;
  let through = filter.startLedger - 1; // ledgers up to here are done
  let after = { ledger: through, eventIndex: Number.MAX_SAFE_INTEGER };
  const connection = await db.connect();
  try {
    while (!signal.aborted) {
      const upper = Math.min(hub.lastCommitted ?? -1, end);
      while (through < upper && !signal.aborted) {
        const events = await readEventPage(connection, filter, after, upper, pageSize);
        if (events.length < pageSize) {
          through = upper;
          after = { ledger: upper, eventIndex: Number.MAX_SAFE_INTEGER };
        } else {
          const last = events[events.length - 1]!;
          after = { ledger: last.ledger_sequence, eventIndex: last.event_index };
          through = last.ledger_sequence - 1;
        }
        yield { events, throughLedger: through };
      }
      if (through >= end) return;
      const before = hub.lastCommitted;
      await hub.waitBeyond(through, idleMs, signal);
      if (hub.lastCommitted === before && !signal.aborted) yield { events: [], throughLedger: through };
    }
  } finally {
    connection.closeSync();
  }
}
