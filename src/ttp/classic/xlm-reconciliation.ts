// CAP-67 retroactive events: before protocol 8, bugs minted or burned lumens. Any difference between
// the operation source's XLM balance change and what the operation's events account for becomes a
// mint (placed before the operation's events) or a burn (placed after them).
import type { OperationModel } from "../../stellar/model.ts";
import { NATIVE } from "../../stellar/asset.ts";
import { baseAccountOf } from "../../stellar/strkey.ts";
import type { TtpEvent } from "../event.ts";
import type { TransactionEventContext } from "../event-context.ts";
import { balanceKey, deltasFromChanges, deltasFromEvents } from "../balance-deltas.ts";

export function xlmReconciliationEvent(ctx: TransactionEventContext, op: OperationModel, events: readonly TtpEvent[]): TtpEvent | null {
  const source = baseAccountOf(ctx.operationSource(op.index));
  const key = balanceKey(source, "native");
  const changed = deltasFromChanges(op.changes).get(key) ?? 0n;
  const accounted = deltasFromEvents(events).get(key) ?? 0n;
  const diff = changed - accounted;
  if (diff === 0n) return null;
  return diff > 0n
    ? ctx.assetEvent("mint", op.index, NATIVE, null, source, diff)
    : ctx.assetEvent("burn", op.index, NATIVE, source, null, -diff);
}
