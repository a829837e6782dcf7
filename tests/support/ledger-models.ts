// Decoded ledgers of the shared sample lakes, read through the production source and decoder.
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import type { LedgerModel } from "../../src/stellar/model.ts";
import { SdkLedgerDecoder } from "../../src/stellar/sdk/sdk-ledger-decoder.ts";
import { SacAddressBook } from "../../src/stellar/asset.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

export interface LoadedLedgers {
  readonly passphrase: string;
  readonly sac: SacAddressBook;
  readonly ledgers: LedgerModel[];
}

export async function loadLedgers(lake: string, start: number, end = start): Promise<LoadedLedgers> {
  const source = await openFolderLake(lakePath(lake));
  const decoder = new SdkLedgerDecoder(source.networkPassphrase);
  const ledgers: LedgerModel[] = [];
  for await (const batch of source.batches({ start, end })) {
    for (const raw of rawLedgersOf(batch)) ledgers.push(decoder.decode(raw.xdr));
  }
  return { passphrase: source.networkPassphrase, sac: SacAddressBook.forPassphrase(source.networkPassphrase), ledgers };
}

/** Sequences of every ledger object in a sample lake, ascending. */
export async function lakeSequences(lake: string): Promise<number[]> {
  const { readdir } = await import("node:fs/promises");
  const entries = await readdir(lakePath(lake), { recursive: true });
  return entries
    .map((e) => /--(\d+)\.xdr\.zstd?$/.exec(e)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}
