import type { OperationModel } from "../../stellar/model.ts";
import { baseAccountOf } from "../../stellar/strkey.ts";
import type { TtpEvent } from "../event.ts";
import type { TransactionEventContext } from "../event-context.ts";

/** The account named in the operation (not its source) loses the amount. */
export function clawbackEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  if (op.body.type !== "clawback") return [];
  return [ctx.assetEvent("clawback", op.index, op.body.asset, baseAccountOf(op.body.from), null, op.body.amount)];
}
