// Runs a source's ledgers through the TTP processor and returns every event as a plain row, so
// tests can check that two sources yield the same events.
import type { LedgerSource } from "../../src/source/ledger-source.ts";
import { TtpProcessor } from "../../src/processor/ttp-processor.ts";
import { SdkLedgerDecoder } from "../../src/stellar/sdk/sdk-ledger-decoder.ts";

export async function eventsOf(source: LedgerSource, start: number, end: number): Promise<Record<string, unknown>[]> {
  const processor = new TtpProcessor({
    networkPassphrase: source.networkPassphrase,
    decoder: new SdkLedgerDecoder(source.networkPassphrase),
    mode: "auto",
    verify: false,
  });
  const rows: Record<string, unknown>[] = [];
  for await (const batch of source.batches({ start, end })) {
    const processed = processor.process(batch);
    if (processed.failure) throw processed.failure;
    for (const row of processed.events) rows.push(row.toJSON());
  }
  return rows;
}
