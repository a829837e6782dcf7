// stellar-flow as a library: Stellar ledgers from a SEP-54 data lake (or bytes you hold) to Token
// Transfer Protocol events, on any runtime with web APIs (Bun, Node >= 20, browsers, workerd,
// Deno). Nothing here imports a runtime's own modules; zstd, SHA-256 and storage are adapters
// (./adapters.ts) with portable defaults; `stellar-flow/bun` and `stellar-flow/node` hold faster ones.

// Reading a lake, or one object you hold
export { openLake, Lake, LAKE_RETRY_POLICY, type OpenLakeOptions } from "./lake.ts";
export { readLedgerObject, DEFAULT_MAX_LEDGER_BYTES, type LedgerObjectOptions } from "./ledger-object.ts";
export { LedgerEventsDecoder, type DecodedLedger, type LedgerEventsDecoderOptions } from "./decoded-ledger.ts";
export { LakeError, type LakeErrorKind } from "./lake-error.ts";
export { eventRow, eventRows, ledgerRow, isoTime, type EventRow, type LedgerRow } from "./rows.ts";

// Adapters and their portable defaults
export { portableAdapters, type CoreAdapters, type Decompress, type ObjectStore, type Sha256 } from "./adapters.ts";
export { portableZstdDecompress } from "./portable-zstd.ts";
export { sha256 as portableSha256, toHex, fromHex } from "../stellar/hash.ts";
export { HttpsStore } from "../source/datalake/https-store.ts";
export { parseDataLakeConfig, DATA_LAKE_CONFIG_KEY, type DataLakeConfig } from "../source/datalake/config.ts";
export { ledgerObjectKey, batchSpan, LEDGER_OBJECT_EXTENSION } from "../source/datalake/object-keys.ts";
export { zstdSize, ZstdFrameError, type ZstdSize } from "../source/datalake/zstd-frames.ts";

// The decoder and the ledger model
export type { LedgerDecoder } from "../stellar/ledger-decoder.ts";
export { FastLedgerDecoder, type FastLedgerDecoderOptions } from "../stellar/xdr/fast-ledger-decoder.ts";
export {
  readLedgerHeader,
  splitLedgerCloseMetaBatch,
  XdrReadError,
  type LedgerCloseMetaMeasure,
  type LedgerHeaderSummary,
} from "../stellar/xdr/ledger-header-reader.ts";
export { checkLedgerCommitments, LedgerHashMismatchError } from "../stellar/xdr/ledger-commitments.ts";
export type * from "../stellar/model.ts";
export { NETWORK_PASSPHRASES, resolvePassphrase, type NetworkName } from "../stellar/network.ts";
export { SacAddressBook, assetString, parseAssetString } from "../stellar/asset.ts";

// TTP rules and verification
export { ledgerEvents, transactionEvents, TTP_MODES, type TtpMode } from "../ttp/ledger-events.ts";
export { TTP_EVENT_TYPES, type TtpEvent, type TtpEventType, type MuxedInfoType } from "../ttp/event.ts";
export { verifyLedgerEvents, describeMismatch, type BalanceMismatch } from "../ttp/verify.ts";

// Arrow schemas and batches (the data contract's tables)
export { ttpEventSchema, ttpEventBatch, amountsOf } from "../arrow/event-batch.ts";
export { ledgerSummarySchema, ledgerSummaryBatch, type LedgerSummary } from "../arrow/ledger-summary-batch.ts";
export { rawLedgerSchema, rawLedgerBatch, type RawLedger } from "../arrow/ledger-batch.ts";
