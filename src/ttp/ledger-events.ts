// All TTP events of a ledger, in the order stellar/go's token_transfer processor emits them.
import type { LedgerModel, TransactionModel } from "../stellar/model.ts";
import type { SacAddressBook } from "../stellar/asset.ts";
import type { TtpEvent } from "./event.ts";
import { TransactionEventContext, TtpError } from "./event-context.ts";
import { classicOperationEvents } from "./classic/operation-events.ts";
import { derivedFeeEvents } from "./fees.ts";
import { hasUnifiedFeeEvents, unifiedFeeEvents, unifiedOperationEvents } from "./unified.ts";
import { messageOf } from "../common/message-of.ts";

/**
 * classic: derive events from operations, results and ledger-entry changes.
 * unified: read the CAP-67 events of TransactionMeta v4 (an error for other metas).
 * auto: per transaction, unified where the meta carries CAP-67 fee events, classic elsewhere.
 */
export type TtpMode = "auto" | "unified" | "classic";
export const TTP_MODES: readonly TtpMode[] = ["auto", "unified", "classic"];

export interface TransactionEvents {
  readonly fee: TtpEvent;
  readonly refund: TtpEvent | null;
  readonly operations: readonly TtpEvent[];
}

function withContext<T>(ledger: LedgerModel, tx: TransactionModel, operationIndex: number | null, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TtpError) throw error;
    throw new TtpError(messageOf(error), ledger.sequence, tx.hash, operationIndex);
  }
}

export function transactionEvents(ctx: TransactionEventContext, mode: TtpMode): TransactionEvents {
  const { ledger, tx } = ctx;
  const unified = mode === "unified" || (mode === "auto" && hasUnifiedFeeEvents(ctx));
  if (unified && tx.metaVersion !== 4) {
    throw new TtpError(`unified mode needs TransactionMeta v4, this transaction has v${tx.metaVersion}`, ledger.sequence, tx.hash, null);
  }
  const fees = withContext(ledger, tx, null, () => (unified ? unifiedFeeEvents(ctx) : derivedFeeEvents(ctx)));
  let operations: TtpEvent[] = [];
  if (tx.successful) {
    if (unified) operations = withContext(ledger, tx, null, () => unifiedOperationEvents(ctx));
    else for (const op of tx.operations) operations.push(...withContext(ledger, tx, op.index, () => classicOperationEvents(ctx, op)));
  }
  return { fee: fees.charge, refund: fees.refund, operations };
}

/**
 * Ledger order: every transaction's fee charge first; then each transaction's operation events,
 * followed by its refund before protocol 23; from protocol 23 on, all refunds come last.
 */
export function ledgerEvents(ledger: LedgerModel, sac: SacAddressBook, mode: TtpMode): TtpEvent[] {
  const refundsLast = ledger.protocolVersion >= 23;
  const fees: TtpEvent[] = [];
  const body: TtpEvent[] = [];
  const refunds: TtpEvent[] = [];
  for (const tx of ledger.transactions) {
    const events = transactionEvents(new TransactionEventContext(ledger, tx, sac), mode);
    fees.push(events.fee);
    body.push(...events.operations);
    if (events.refund) (refundsLast ? refunds : body).push(events.refund);
  }
  return [...fees, ...body, ...refunds];
}
