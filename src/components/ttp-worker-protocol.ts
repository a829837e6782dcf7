// Messages between the ParallelTtpProcessor and its worker threads. Arrow record batches travel
// as Arrow IPC stream bytes in transferred ArrayBuffers (moved, not copied).
import type { TtpMode } from "../ttp/ledger-events.ts";
import type { EventFilterSpec } from "../ttp/event-filter.ts";
import type { DecoderName } from "./ledger-decoders.ts";
import type { ProcessedStats } from "./ttp-processor.ts";

export interface TtpWorkerConfig {
  readonly networkPassphrase: string;
  readonly decoder: DecoderName;
  readonly mode: TtpMode;
  readonly verify: boolean;
  readonly filter: EventFilterSpec | null;
}

/** One column of a raw-ledger batch as its Arrow buffers (offset 0). */
export interface WireColumn {
  readonly length: number;
  readonly nullCount: number;
  readonly values: ArrayBufferView;
  readonly valueOffsets?: Int32Array;
  readonly nullBitmap?: Uint8Array;
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
      readonly ledgers: Uint8Array;
      readonly events: Uint8Array;
      readonly firstLedger: number;
      readonly lastLedger: number;
      readonly stats: ProcessedStats;
      readonly failure: TtpWorkerFailure | null;
    }
  | { readonly id: number; readonly ok: false; readonly error: string };
