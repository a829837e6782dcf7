import type { OperationModel } from "../../stellar/model.ts";
import { NATIVE } from "../../stellar/asset.ts";
import type { TtpEvent } from "../event.ts";
import type { TransactionEventContext } from "../event-context.ts";

/** Inflation payouts are new lumens: one mint per recipient. */
export function inflationEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  return op.result.inflationPayouts.map((payout) => ctx.assetEvent("mint", op.index, NATIVE, null, payout.destination, payout.amount));
}
