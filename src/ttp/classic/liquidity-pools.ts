// Liquidity pools: deposits, withdrawals, and trust-line revocations that pull pool shares out
// into claimable balances (CAP-38).
import type { Asset, OperationModel } from "../../stellar/model.ts";
import { assetXdr, sameAsset } from "../../stellar/asset.ts";
import { sha256 } from "../../stellar/hash.ts";
import { baseAccountOf, decodeStrkey, encodeClaimableBalanceId } from "../../stellar/strkey.ts";
import type { TtpEvent } from "../event.ts";
import type { TransactionEventContext } from "../event-context.ts";
import { claimableBalancesIn } from "./claimable-balances.ts";

interface PoolDelta {
  readonly poolId: string;
  readonly assetA: Asset;
  readonly assetB: Asset;
  /** Absolute change of each reserve. */
  readonly changeA: bigint;
  readonly changeB: bigint;
}

const abs = (v: bigint) => (v < 0n ? -v : v);

export function poolDeltas(op: OperationModel): PoolDelta[] {
  const out: PoolDelta[] = [];
  for (const change of op.changes) {
    const pre = change.pre?.type === "liquidityPool" ? change.pre : null;
    const post = change.post?.type === "liquidityPool" ? change.post : null;
    const pool = post ?? pre;
    if (!pool || change.kind === "state") continue;
    out.push({
      poolId: pool.poolId,
      assetA: pool.assetA,
      assetB: pool.assetB,
      changeA: abs((post?.reserveA ?? 0n) - (pre?.reserveA ?? 0n)),
      changeB: abs((post?.reserveB ?? 0n) - (pre?.reserveB ?? 0n)),
    });
  }
  return out;
}

function singlePool(op: OperationModel): PoolDelta {
  const deltas = poolDeltas(op);
  if (deltas.length !== 1) throw new Error(`expected exactly one liquidity pool changed by ${op.body.type}, found ${deltas.length}`);
  return deltas[0]!;
}

export function liquidityPoolDepositEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  const pool = singlePool(op);
  if (pool.changeA <= 0n || pool.changeB <= 0n) {
    throw new Error(`liquidity pool ${pool.poolId} deposit moved a non-positive amount (${pool.changeA}, ${pool.changeB})`);
  }
  const source = ctx.operationSource(op.index);
  return [
    ctx.movement(op.index, pool.assetA, source, pool.poolId, pool.changeA, false),
    ctx.movement(op.index, pool.assetB, source, pool.poolId, pool.changeB, false),
  ];
}

export function liquidityPoolWithdrawEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  // Rounding can make a withdrawal move nothing of one asset; the event is still emitted.
  const pool = singlePool(op);
  const source = ctx.operationSource(op.index);
  return [
    ctx.movement(op.index, pool.assetA, pool.poolId, source, pool.changeA, true),
    ctx.movement(op.index, pool.assetB, pool.poolId, source, pool.changeB, true),
  ];
}

const ENVELOPE_TYPE_POOL_REVOKE_OP_ID = 7;

/** The id CAP-38 gives the claimable balance created for `asset` when a revocation empties a pool share. */
export function revocationBalanceId(
  sourceAccount: string,
  sequenceNumber: bigint,
  operationIndex: number,
  poolId: string,
  asset: Asset,
): string {
  const assetBytes = assetXdr(asset);
  const preimage = new Uint8Array(4 + 36 + 8 + 4 + 32 + assetBytes.length);
  const view = new DataView(preimage.buffer);
  view.setUint32(0, ENVELOPE_TYPE_POOL_REVOKE_OP_ID);
  view.setUint32(4, 0); // PUBLIC_KEY_TYPE_ED25519
  preimage.set(decodeStrkey(baseAccountOf(sourceAccount)).payload, 8);
  view.setBigInt64(40, sequenceNumber);
  view.setUint32(48, operationIndex);
  preimage.set(decodeStrkey(poolId).payload, 52);
  preimage.set(assetBytes, 84);
  return encodeClaimableBalanceId(sha256(preimage));
}

/**
 * allow_trust / set_trust_line_flags: when revoking authorization withdraws the trustor's pool
 * shares, each pool sends its assets to new claimable balances; an asset whose balance would go
 * back to its issuer is burned instead.
 */
export function revocationEvents(ctx: TransactionEventContext, op: OperationModel): TtpEvent[] {
  const pools = poolDeltas(op);
  if (pools.length === 0) return [];
  const created = new Map(claimableBalancesIn(op, "created").map((b) => [b.balanceId, b]));
  if (created.size === 0) return [];
  const events: TtpEvent[] = [];
  for (const pool of pools) {
    const matched = [pool.assetA, pool.assetB]
      .map((asset) => revocationBalanceId(ctx.tx.sourceAccount, ctx.tx.sequenceNumber, op.index, pool.poolId, asset))
      .map((id) => created.get(id))
      .filter((b) => b !== undefined);
    if (matched.length === 0) continue;
    if (matched.length === 1) {
      const balance = matched[0]!;
      const burnedIsB = sameAsset(balance.asset, pool.assetA);
      events.push(
        ctx.movement(op.index, balance.asset, pool.poolId, balance.balanceId, balance.amount, false),
        ctx.assetEvent("burn", op.index, burnedIsB ? pool.assetB : pool.assetA, pool.poolId, null, burnedIsB ? pool.changeB : pool.changeA),
      );
    } else {
      for (const balance of matched) {
        events.push(ctx.movement(op.index, balance.asset, pool.poolId, balance.balanceId, balance.amount, false));
      }
    }
  }
  return events;
}
