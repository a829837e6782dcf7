import type { xdr } from "@stellar/stellar-sdk";
import type { EntryChange, EntryData } from "../model.ts";
import { encodeLiquidityPoolId } from "../strkey.ts";
import { assetOf, claimableBalanceIdStrkey, publicKeyStrkey } from "./wire-values.ts";

const OTHER: EntryData = { type: "other" };

export function entryData(data: xdr.LedgerEntryDataWire): EntryData {
  switch (data.type) {
    case 0:
      return {
        type: "account",
        accountId: publicKeyStrkey(data.account.accountId),
        balance: data.account.balance,
        sequenceNumber: data.account.seqNum,
      };
    case 1: {
      const line = data.trustLine;
      const asset = line.asset;
      return {
        type: "trustline",
        accountId: publicKeyStrkey(line.accountId),
        asset: asset.type === 3 ? null : assetOf(asset as xdr.AssetWire),
        poolId: asset.type === 3 ? encodeLiquidityPoolId(asset.liquidityPoolId) : null,
        balance: line.balance,
      };
    }
    case 4:
      return {
        type: "claimableBalance",
        balanceId: claimableBalanceIdStrkey(data.claimableBalance.balanceId),
        asset: assetOf(data.claimableBalance.asset),
        amount: data.claimableBalance.amount,
      };
    case 5: {
      const pool = data.liquidityPool.body.constantProduct;
      return {
        type: "liquidityPool",
        poolId: encodeLiquidityPoolId(data.liquidityPool.liquidityPoolId),
        assetA: assetOf(pool.params.assetA),
        assetB: assetOf(pool.params.assetB),
        reserveA: pool.reserveA,
        reserveB: pool.reserveB,
      };
    }
    default:
      return OTHER;
  }
}

/**
 * Pairs each STATE change with the UPDATED or REMOVED change that follows it, as stellar-core
 * emits them, so every model change carries its before and after images.
 */
export function entryChanges(changes: readonly xdr.LedgerEntryChangeWire[]): EntryChange[] {
  const out: EntryChange[] = [];
  let pendingState: EntryData | null = null;
  const flushState = () => {
    if (pendingState) out.push({ kind: "state", pre: pendingState, post: pendingState });
    pendingState = null;
  };
  for (const change of changes) {
    switch (change.type) {
      case 0:
        flushState();
        out.push({ kind: "created", pre: null, post: entryData(change.created.data) });
        break;
      case 1:
        out.push({ kind: "updated", pre: pendingState, post: entryData(change.updated.data) });
        pendingState = null;
        break;
      case 2:
        out.push({ kind: "removed", pre: pendingState, post: null });
        pendingState = null;
        break;
      case 3:
        flushState();
        pendingState = entryData(change.state.data);
        break;
      case 4:
        flushState();
        out.push({ kind: "restored", pre: null, post: entryData(change.restored.data) });
        break;
    }
  }
  flushState();
  return out;
}
