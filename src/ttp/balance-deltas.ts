// Net balance changes per (holder, asset), from ledger-entry changes or from TTP events.
// Contract holders are left out: their balances live in contract data with no standard layout.
import type { EntryChange, EntryData } from "../stellar/model.ts";
import { assetString } from "../stellar/asset.ts";
import type { TtpEvent } from "./event.ts";

export type BalanceDeltas = Map<string, bigint>;

export const balanceKey = (holder: string, asset: string) => `${holder}|${asset}`;

export function addDelta(deltas: BalanceDeltas, holder: string | null, asset: string, delta: bigint): void {
  if (holder === null || holder.startsWith("C") || delta === 0n) return;
  const key = balanceKey(holder, asset);
  const total = (deltas.get(key) ?? 0n) + delta;
  if (total === 0n) deltas.delete(key);
  else deltas.set(key, total);
}

function holdings(entry: EntryData | null): { holder: string; asset: string; amount: bigint }[] {
  if (!entry) return [];
  switch (entry.type) {
    case "account":
      return [{ holder: entry.accountId, asset: "native", amount: entry.balance }];
    case "trustline":
      return entry.asset ? [{ holder: entry.accountId, asset: assetString(entry.asset), amount: entry.balance }] : [];
    case "claimableBalance":
      return [{ holder: entry.balanceId, asset: assetString(entry.asset), amount: entry.amount }];
    case "liquidityPool":
      return [
        { holder: entry.poolId, asset: assetString(entry.assetA), amount: entry.reserveA },
        { holder: entry.poolId, asset: assetString(entry.assetB), amount: entry.reserveB },
      ];
    case "other":
      return [];
  }
}

export function deltasFromChanges(changes: Iterable<EntryChange>, into: BalanceDeltas = new Map()): BalanceDeltas {
  for (const change of changes) {
    if (change.kind === "state") continue;
    for (const h of holdings(change.pre)) addDelta(into, h.holder, h.asset, -h.amount);
    for (const h of holdings(change.post)) addDelta(into, h.holder, h.asset, h.amount);
  }
  return into;
}

export function deltasFromEvents(events: Iterable<TtpEvent>, into: BalanceDeltas = new Map()): BalanceDeltas {
  for (const event of events) {
    if (event.asset === null) continue;
    switch (event.eventType) {
      case "transfer":
        addDelta(into, event.from, event.asset, -event.amount);
        addDelta(into, event.to, event.asset, event.amount);
        break;
      case "mint":
        addDelta(into, event.to, event.asset, event.amount);
        break;
      case "burn":
      case "clawback":
      case "fee":
        addDelta(into, event.from, event.asset, -event.amount);
        break;
    }
  }
  return into;
}
