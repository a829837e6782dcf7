// Messages between the ParallelTtpProcessor and its worker threads. Arrow record batches travel as
// their columns' buffers (../arrow/wire-batch.ts), the big ones moved rather than copied; batches of
// another shape as Arrow IPC stream bytes.
import type { TtpMode } from "../ttp/ledger-events.ts";
import type { EventFilterSpec } from "../ttp/event-filter.ts";
import type { DecoderName } from "./ledger-decoders.ts";
import type { ProcessedStats } from "../arrow/processed-batch.ts";
import type { WireColumn } from "../arrow/wire-batch.ts";

export interface TtpWorkerConfig {
  readonly networkPassphrase: string;
  readonly decoder: DecoderName;
  readonly mode: TtpMode;
  readonly verify: boolean;
  /** Check each ledger's txSetHash and txSetResultHash. */
  readonly checkHashes: boolean;
  readonly filter: EventFilterSpec | null;
}

export interface TtpWorkerRequest {
  readonly id: number;
  readonly config: TtpWorkerConfig;
  /**
   * One raw-ledger batch (rawLedgerSchema): its columns' buffers, the XDR bytes transferred rather
   * than copied, or (for batches of another shape) its IPC stream.
   */
  readonly rawLedgers: readonly WireColumn[] | Uint8Array;
}

/** A ProcessorError as data: the message without its "(ledger N, location)" suffix. */
export interface TtpWorkerFailure {
  readonly message: string;
  readonly ledger: number;
  readonly location: string | null;
}

export type TtpWorkerResponse =
  | {
      readonly id: number;
      readonly ok: true;
      /** The `ledgers` rows (ledgerSummarySchema) as wire columns, or IPC. */
      readonly ledgers: readonly WireColumn[] | Uint8Array;
      /** The `ttp_events` rows (ttpEventSchema) as wire columns, or IPC. */
      readonly events: readonly WireColumn[] | Uint8Array;
      readonly firstLedger: number;
      readonly lastLedger: number;
      readonly stats: ProcessedStats;
      readonly failure: TtpWorkerFailure | null;
    }
  | { readonly id: number; readonly ok: false; readonly error: string };
