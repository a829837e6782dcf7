// Reading the CAP-67 unified event stream of TransactionMeta v4.
import { NATIVE } from "../stellar/asset.ts";
import type { TtpEvent } from "./event.ts";
import type { TransactionEventContext } from "./event-context.ts";
import { operationTokenEvents } from "./contract-events.ts";

/** Whether the transaction's meta carries CAP-67 fee events. */
export function hasUnifiedFeeEvents(ctx: TransactionEventContext): boolean {
  return ctx.tx.metaVersion === 4 && ctx.tx.transactionEvents.some((e) => e.topics[0]?.type === "symbol" && e.topics[0].value === "fee");
}

/** The fee charge and optional refund events of a v4 meta. */
export function unifiedFeeEvents(ctx: TransactionEventContext): { charge: TtpEvent; refund: TtpEvent | null } {
  const nativeContract = ctx.sac.addressOf(NATIVE);
  const fees: TtpEvent[] = [];
  for (const event of ctx.tx.transactionEvents) {
    const [name, from] = event.topics;
    if (name?.type !== "symbol" || name.value !== "fee") continue;
    if (event.kind !== "contract" || event.contractId !== nativeContract) {
      throw new Error(`fee event not emitted by the native asset contract (${event.contractId})`);
    }
    if (event.topics.length !== 2 || from?.type !== "address") throw new Error(`malformed fee event topics (${event.topics.length} topics)`);
    if (event.data.type !== "i128") throw new Error(`fee event amount is ${event.data.type}, not i128`);
    fees.push(ctx.assetEvent("fee", null, NATIVE, from.value, null, event.data.value));
  }
  if (fees.length === 0 || fees.length > 2) throw new Error(`expected one or two fee events, found ${fees.length}`);
  return { charge: fees[0]!, refund: fees[1] ?? null };
}

/** Operation events as the meta's per-operation event lists report them. */
export function unifiedOperationEvents(ctx: TransactionEventContext): TtpEvent[] {
  if (ctx.tx.metaVersion !== 4) throw new Error(`unified events need TransactionMeta v4, found v${ctx.tx.metaVersion}`);
  const events: TtpEvent[] = [];
  for (let i = 0; i < ctx.tx.operations.length; i++) events.push(...operationTokenEvents(ctx, i));
  return events;
}
