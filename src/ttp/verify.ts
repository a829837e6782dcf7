// Reconciliation: the balance changes a transaction's events imply must equal the balance changes
// in its ledger-entry changes (accounts, trust lines, claimable balances, pool reserves).
import type { LedgerModel, TransactionModel } from "../stellar/model.ts";
import type { TtpEvent } from "./event.ts";
import { deltasFromChanges, deltasFromEvents, type BalanceDeltas } from "./balance-deltas.ts";

export interface BalanceMismatch {
  readonly ledger: number;
  readonly txHash: string;
  readonly holder: string;
  readonly asset: string;
  /** Net change according to the ledger-entry changes. */
  readonly expected: bigint;
  /** Net change according to the events. */
  readonly actual: bigint;
}

function transactionChanges(tx: TransactionModel) {
  return [
    ...tx.feeChanges,
    ...tx.txChangesBefore,
    ...tx.operations.flatMap((op) => op.changes),
    ...tx.txChangesAfter,
    ...tx.postTxApplyFeeChanges,
  ];
}

function firstDifference(fromChanges: BalanceDeltas, fromEvents: BalanceDeltas): { key: string; expected: bigint; actual: bigint } | null {
  for (const key of [...new Set([...fromChanges.keys(), ...fromEvents.keys()])].sort()) {
    const expected = fromChanges.get(key) ?? 0n;
    const actual = fromEvents.get(key) ?? 0n;
    if (expected !== actual) return { key, expected, actual };
  }
  return null;
}

/** The first transaction whose events do not account for its balance changes, or null. */
export function verifyLedgerEvents(ledger: LedgerModel, events: readonly TtpEvent[]): BalanceMismatch | null {
  const byTx = new Map<string, TtpEvent[]>();
  for (const event of events) {
    let list = byTx.get(event.txHash);
    if (!list) byTx.set(event.txHash, (list = []));
    list.push(event);
  }
  for (const tx of ledger.transactions) {
    const diff = firstDifference(deltasFromChanges(transactionChanges(tx)), deltasFromEvents(byTx.get(tx.hash) ?? []));
    if (diff) {
      const [holder, asset] = diff.key.split("|") as [string, string];
      return { ledger: ledger.sequence, txHash: tx.hash, holder, asset, expected: diff.expected, actual: diff.actual };
    }
  }
  return null;
}

export function describeMismatch(m: BalanceMismatch): string {
  return `balance mismatch in ledger ${m.ledger}, tx ${m.txHash}: ${m.holder} ${m.asset} changed by ${m.expected} in ledger entries but by ${m.actual} in events`;
}
