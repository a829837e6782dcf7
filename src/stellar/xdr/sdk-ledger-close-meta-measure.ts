// Measures a LedgerCloseMeta with the SDK's schema reader: decodes it once (no re-encoding) and
// reads how far the reader got. Used only to split data-lake batches holding several ledgers.
import { Reader } from "@stellar/js-xdr";
import { xdr } from "@stellar/stellar-sdk";
import type { LedgerCloseMetaMeasure } from "./ledger-header-reader.ts";

export const sdkLedgerCloseMetaMeasure: LedgerCloseMetaMeasure = (bytes) => {
  const reader = new Reader(bytes);
  xdr.LedgerCloseMeta.schema._read(reader, "LedgerCloseMeta");
  return reader.offset;
};
