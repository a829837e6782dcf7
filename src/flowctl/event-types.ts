// The event types components exchange, and the legacy names of the original services.

export const LEDGER_EVENT_TYPE = "stellar.ledger.v1";
export const TTP_EVENT_TYPE = "stellar.ttp_event.v1";

const ALIASES: Readonly<Record<string, string>> = {
  "stellar_ledger_service.StellarLedger": LEDGER_EVENT_TYPE,
  "ttp_event_service.TTPEvent": TTP_EVENT_TYPE,
};

/** The canonical name of an event type: legacy aliases map to theirs, anything else is kept. */
export function canonicalEventType(name: string): string {
  return ALIASES[name] ?? name;
}
