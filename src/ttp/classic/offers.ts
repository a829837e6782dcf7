// Trades: every offer or liquidity pool crossed moves two assets.
import type { ClaimAtom, OperationModel } from "../../stellar/model.ts";
import { baseAccountOf } from "../../stellar/strkey.ts";
import type { TtpEvent } from "../event.ts";
import type { TransactionEventContext } from "../event-context.ts";

export function claimAtomEvents(ctx: TransactionEventContext, operationIndex: number, source: string, claims: readonly ClaimAtom[]): TtpEvent[] {
  // Trades never carry destination muxed info, so the taker is reported as a G address.
  const taker = baseAccountOf(source);
  const events: TtpEvent[] = [];
  for (const claim of claims) {
    events.push(
      ctx.movement(operationIndex, claim.assetSold, claim.seller, taker, claim.amountSold, false),
      ctx.movement(operationIndex, claim.assetBought, taker, claim.seller, claim.amountBought, false),
    );
  }
  return events;
}

/** manage_sell_offer, manage_buy_offer and create_passive_sell_offer. */
export function offerEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  return claimAtomEvents(ctx, op.index, ctx.operationSource(op.index), op.result.offersClaimed);
}
