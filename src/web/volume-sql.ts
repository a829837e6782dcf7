// The SQL behind the volume panel, run through QueryService like any query of the SQL box (and
// shown in it on request): events and amounts per asset and event type over the last ledgers the
// database holds. It reads ttp_events and ledgers by name only, so a view that joins a backfilled
// dataset with the live table serves it as well as the table does.

/** The asset a chart shows: a value of the asset column, a contract token by its contract, or every asset (counts only). */
export type AssetChoice = { readonly kind: "all" } | { readonly kind: "asset"; readonly asset: string } | { readonly kind: "contract"; readonly contract: string };

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The last `ledgers` ledgers the database holds (ranges may be apart: held, not numbered, ledgers count). */
function held(ledgers: number): string {
  if (!Number.isInteger(ledgers) || ledgers < 1) throw new Error(`a window of ${ledgers} ledgers: give a whole number of at least 1`);
  return `WITH held AS (SELECT sequence FROM ledgers ORDER BY sequence DESC LIMIT ${ledgers})`;
}

/** Per asset and event type over the window: events and the sum of amounts (base units; fees net of refunds). */
export function volumeTotalsSql(ledgers: number, limit = 50): string {
  return `${held(ledgers)}
SELECT asset, CASE WHEN asset IS NULL THEN contract_address END AS contract, event_type, count(*) AS events, sum(amount::BIGNUM) AS volume
FROM ttp_events
WHERE ledger_sequence IN (SELECT sequence FROM held)
GROUP BY ALL
ORDER BY events DESC, asset, contract, event_type
LIMIT ${limit}`;
}

function matching(choice: AssetChoice): string {
  switch (choice.kind) {
    case "all":
      return "";
    case "asset":
      return ` AND e.asset = ${literal(choice.asset)}`;
    case "contract":
      return ` AND e.asset IS NULL AND e.contract_address = ${literal(choice.contract)}`;
  }
}

/** Per ledger held and event type: events and the sum of amounts of the chosen asset (a ledger without any: one row, event_type NULL). */
export function volumeSeriesSql(ledgers: number, choice: AssetChoice): string {
  return `${held(ledgers)}
SELECT held.sequence AS ledger, e.event_type, count(e.event_type) AS events, coalesce(sum(e.amount::BIGNUM), 0) AS volume
FROM held LEFT JOIN ttp_events e ON e.ledger_sequence = held.sequence${matching(choice)}
GROUP BY ALL
ORDER BY ledger, event_type`;
}
