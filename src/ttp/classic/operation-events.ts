// Classic derivation: each operation's events from the operation, its result and its ledger changes.
import type { OperationModel, OperationType } from "../../stellar/model.ts";
import type { TtpEvent } from "../event.ts";
import type { TransactionEventContext } from "../event-context.ts";
import { operationTokenEvents } from "../contract-events.ts";
import { claimClaimableBalanceEvents, clawbackClaimableBalanceEvents, createClaimableBalanceEvents } from "./claimable-balances.ts";
import { clawbackEvents } from "./clawback.ts";
import { inflationEvents } from "./inflation.ts";
import { liquidityPoolDepositEvents, liquidityPoolWithdrawEvents, revocationEvents } from "./liquidity-pools.ts";
import { offerEvents } from "./offers.ts";
import { accountMergeEvents, createAccountEvents, pathPaymentEvents, paymentEvents } from "./payments.ts";
import { xlmReconciliationEvent } from "./xlm-reconciliation.ts";

type Rule = (ctx: TransactionEventContext, op: OperationModel) => TtpEvent[];

const RULES: Partial<Record<OperationType, Rule>> = {
  createAccount: createAccountEvents,
  payment: paymentEvents,
  accountMerge: accountMergeEvents,
  pathPaymentStrictReceive: pathPaymentEvents,
  pathPaymentStrictSend: pathPaymentEvents,
  manageSellOffer: offerEvents,
  manageBuyOffer: offerEvents,
  createPassiveSellOffer: offerEvents,
  createClaimableBalance: createClaimableBalanceEvents,
  claimClaimableBalance: claimClaimableBalanceEvents,
  clawback: clawbackEvents,
  clawbackClaimableBalance: clawbackClaimableBalanceEvents,
  allowTrust: revocationEvents,
  setTrustLineFlags: revocationEvents,
  liquidityPoolDeposit: liquidityPoolDepositEvents,
  liquidityPoolWithdraw: liquidityPoolWithdrawEvents,
  inflation: inflationEvents,
  invokeHostFunction: (ctx, op) => operationTokenEvents(ctx, op.index),
};

/** Events of one operation of a successful transaction; operations that move nothing give none. */
export function classicOperationEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  const rule = RULES[op.body.type];
  if (!rule) return [];
  const events = rule(ctx, op);
  if (ctx.ledger.protocolVersion >= 8) return events;
  // Before protocol 8, some operations created or destroyed lumens without saying so.
  const reconciliation = xlmReconciliationEvent(ctx, op, events);
  if (!reconciliation) return events;
  return reconciliation.eventType === "mint" ? [reconciliation, ...events] : [...events, reconciliation];
}
