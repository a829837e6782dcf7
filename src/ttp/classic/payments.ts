// create_account, payment, account_merge and the path payments.
import type { OperationModel } from "../../stellar/model.ts";
import { NATIVE } from "../../stellar/asset.ts";
import type { TtpEvent } from "../event.ts";
import type { TransactionEventContext } from "../event-context.ts";
import { claimAtomEvents } from "./offers.ts";

export function createAccountEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  if (op.body.type !== "createAccount") return [];
  return [ctx.movement(op.index, NATIVE, ctx.operationSource(op.index), op.body.destination, op.body.startingBalance, true)];
}

export function paymentEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  if (op.body.type !== "payment") return [];
  return [ctx.movement(op.index, op.body.asset, ctx.operationSource(op.index), op.body.destination, op.body.amount, true)];
}

export function accountMergeEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  if (op.body.type !== "accountMerge" || op.result.sourceAccountBalance === null) return [];
  return [ctx.movement(op.index, NATIVE, ctx.operationSource(op.index), op.body.destination, op.result.sourceAccountBalance, true)];
}

/** Two events per offer or pool crossed, then the transfer of what the destination received. */
export function pathPaymentEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  const body = op.body;
  if (body.type !== "pathPaymentStrictReceive" && body.type !== "pathPaymentStrictSend") return [];
  const source = ctx.operationSource(op.index);
  const received = body.type === "pathPaymentStrictReceive" ? body.destAmount : op.result.destAmount;
  if (received === null) throw new Error("path_payment_strict_send result carries no destination amount");
  return [
    ...claimAtomEvents(ctx, op.index, source, op.result.offersClaimed),
    ctx.movement(op.index, body.destAsset, source, body.destination, received, true),
  ];
}
