// Claimable balances: created (value moves to the B... balance id), claimed, clawed back.
import type { EntryChange, OperationModel } from "../../stellar/model.ts";
import type { TtpEvent } from "../event.ts";
import type { TransactionEventContext } from "../event-context.ts";

type ClaimableBalanceData = Extract<NonNullable<EntryChange["pre"]>, { type: "claimableBalance" }>;

/** Claimable balances that the operation created or removed. */
export function claimableBalancesIn(op: OperationModel, kind: "created" | "removed"): ClaimableBalanceData[] {
  const out: ClaimableBalanceData[] = [];
  for (const change of op.changes) {
    if (change.kind !== kind) continue;
    const entry = kind === "created" ? change.post : change.pre;
    if (entry?.type === "claimableBalance") out.push(entry);
  }
  return out;
}

function removedBalance(op: OperationModel): ClaimableBalanceData {
  const removed = claimableBalancesIn(op, "removed");
  if (removed.length !== 1) {
    throw new Error(`expected exactly one claimable balance removed by ${op.body.type}, found ${removed.length}`);
  }
  return removed[0]!;
}

export function createClaimableBalanceEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  if (op.body.type !== "createClaimableBalance") return [];
  if (op.result.balanceId === null) throw new Error("create_claimable_balance result carries no balance id");
  return [ctx.movement(op.index, op.body.asset, ctx.operationSource(op.index), op.result.balanceId, op.body.amount, false)];
}

export function claimClaimableBalanceEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  if (op.body.type !== "claimClaimableBalance") return [];
  const balance = removedBalance(op);
  return [ctx.movement(op.index, balance.asset, op.body.balanceId, ctx.operationSource(op.index), balance.amount, true)];
}

export function clawbackClaimableBalanceEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  if (op.body.type !== "clawbackClaimableBalance") return [];
  const balance = removedBalance(op);
  return [ctx.assetEvent("clawback", op.index, balance.asset, op.body.balanceId, null, balance.amount)];
}
