// Fee events: what the fee account paid, and (Soroban) what it got back as a refund.
import type { EntryChange } from "../stellar/model.ts";
import { NATIVE } from "../stellar/asset.ts";
import { baseAccountOf } from "../stellar/strkey.ts";
import type { TtpEvent } from "./event.ts";
import type { TransactionEventContext } from "./event-context.ts";

/** Balance of `account` before and after a list of changes (0 when the list does not touch it). */
function accountBalanceChange(changes: readonly EntryChange[], account: string): { start: bigint; end: bigint } {
  let start = 0n;
  let end = 0n;
  for (const change of changes) {
    if (change.kind !== "updated") continue;
    if (change.pre?.type === "account" && change.pre.accountId === account) start = change.pre.balance;
    if (change.post?.type === "account" && change.post.accountId === account) end = change.post.balance;
  }
  return { start, end };
}

/**
 * Derived fee events: one charge per transaction (feeCharged for classic transactions; for
 * Soroban, the fee account's balance drop in fee processing) plus, for Soroban, a negative fee
 * event for the refund found in txChangesAfter (before protocol 23) or postTxApplyFeeProcessing.
 */
export function derivedFeeEvents(ctx: TransactionEventContext): { charge: TtpEvent; refund: TtpEvent | null } {
  const { tx } = ctx;
  const feeAccount = baseAccountOf(tx.feeAccount);
  if (!tx.isSoroban) {
    return { charge: ctx.assetEvent("fee", null, NATIVE, feeAccount, null, tx.feeCharged), refund: null };
  }
  const charged = accountBalanceChange(tx.feeChanges, feeAccount);
  if (charged.end > charged.start) throw new Error(`fee account ${feeAccount} gained lumens in fee processing`);
  const charge = ctx.assetEvent("fee", null, NATIVE, feeAccount, null, charged.start - charged.end);
  const refunded = accountBalanceChange([...tx.txChangesAfter, ...tx.postTxApplyFeeChanges], feeAccount);
  if (refunded.start > refunded.end) throw new Error(`fee account ${feeAccount} lost lumens in the fee refund`);
  const refund = refunded.end > refunded.start ? ctx.assetEvent("fee", null, NATIVE, feeAccount, null, -(refunded.end - refunded.start)) : null;
  return { charge, refund };
}
