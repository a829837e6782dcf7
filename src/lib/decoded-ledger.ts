// One LedgerCloseMeta into what the pipeline's processor makes of it: the `ledgers` row, the
// `ttp_events` rows (as TtpEvents, in TTP order) and the decoded model. Pure: the same functions
// as the pipeline (FastLedgerDecoder, ledgerEvents), with SHA-256 passed in.
import type { LedgerSummary } from "../arrow/ledger-summary-batch.ts";
import { SacAddressBook } from "../stellar/asset.ts";
import type { LedgerModel } from "../stellar/model.ts";
import { resolvePassphrase } from "../stellar/network.ts";
import { FastLedgerDecoder } from "../stellar/xdr/fast-ledger-decoder.ts";
import { LedgerHashMismatchError, type Sha256 } from "../stellar/xdr/ledger-commitments.ts";
import type { TtpEvent } from "../ttp/event.ts";
import { ledgerEvents, type TtpMode } from "../ttp/ledger-events.ts";
import { describeMismatch, verifyLedgerEvents } from "../ttp/verify.ts";
import { sha256 as portableSha256 } from "../stellar/hash.ts";
import { LakeError } from "./lake-error.ts";
import { messageOf } from "../common/message-of.ts";

export interface DecodedLedger {
  readonly summary: LedgerSummary;
  /** In the order TTP emits them; an event's event_index is its position here. */
  readonly events: readonly TtpEvent[];
  readonly model: LedgerModel;
}

export interface LedgerEventsDecoderOptions {
  /** Network name (pubnet, testnet, futurenet, standalone) or passphrase: transaction hashes and SAC addresses depend on it. */
  readonly network: string;
  /** Default: the portable one. */
  readonly sha256?: Sha256;
  /**
   * Check that the transaction set and the results hash to the header's txSetHash and
   * txSetResultHash (default true, as the CLI; its --no-tx-set-check is false here).
   */
  readonly checkTxSet?: boolean;
  /** auto (default), unified or classic, as the CLI's --ttp-mode. */
  readonly mode?: TtpMode;
  /** Reconcile every transaction's events with its balance changes (the CLI's --verify); default false. */
  readonly verify?: boolean;
}

export class LedgerEventsDecoder {
  readonly networkPassphrase: string;
  readonly #decoder: FastLedgerDecoder;
  readonly #sac: SacAddressBook;
  readonly #mode: TtpMode;
  readonly #verify: boolean;

  constructor(options: LedgerEventsDecoderOptions) {
    this.networkPassphrase = resolvePassphrase(options.network);
    this.#decoder = new FastLedgerDecoder(this.networkPassphrase, { sha256: options.sha256 ?? portableSha256, checkHashes: options.checkTxSet ?? true });
    this.#sac = SacAddressBook.forPassphrase(this.networkPassphrase);
    this.#mode = options.mode ?? "auto";
    this.#verify = options.verify ?? false;
  }

  /** Decodes one LedgerCloseMeta; throws a LakeError naming the ledger and `location`. */
  decode(lcmXdr: Uint8Array, location: string | null = null, expectedSequence: number | null = null): DecodedLedger {
    let model: LedgerModel;
    try {
      model = this.#decoder.decode(lcmXdr);
    } catch (error) {
      // a header-hash mismatch decodes fine: it says what was altered, not that the XDR is malformed
      const tampered = error instanceof LedgerHashMismatchError;
      const what = tampered ? "tampered or corrupt ledger" : "undecodable LedgerCloseMeta XDR";
      throw new LakeError(tampered ? "tampered" : "corrupt", `${what}: ${messageOf(error)}`, expectedSequence, location, { cause: error });
    }
    if (expectedSequence !== null && model.sequence !== expectedSequence) {
      throw new LakeError("corrupt", `wrong sequence: expected ledger ${expectedSequence}, the LedgerCloseMeta holds ledger ${model.sequence}`, expectedSequence, location);
    }
    let events: TtpEvent[];
    try {
      events = ledgerEvents(model, this.#sac, this.#mode);
    } catch (error) {
      throw new LakeError("corrupt", `cannot derive TTP events: ${messageOf(error)}`, model.sequence, location, { cause: error });
    }
    if (this.#verify) {
      const mismatch = verifyLedgerEvents(model, events);
      if (mismatch) throw new LakeError("corrupt", describeMismatch(mismatch), model.sequence, location);
    }
    const failed = model.transactions.reduce((n, tx) => n + (tx.successful ? 0 : 1), 0);
    const operations = model.transactions.reduce((n, tx) => n + tx.operations.length, 0);
    const summary: LedgerSummary = {
      sequence: model.sequence,
      hash: model.hash,
      previousHash: model.previousHash,
      closedAt: model.closedAt,
      protocolVersion: model.protocolVersion,
      successfulTxCount: model.transactions.length - failed,
      failedTxCount: failed,
      operationCount: operations,
      eventCount: events.length,
    };
    return { summary, events, model };
  }
}
