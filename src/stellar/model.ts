// The ledger model the TTP rules read. It is deliberately decoder-neutral: the SDK-backed
// decoder (src/stellar/sdk/) fills it today, a purpose-built byte reader can fill it later,
// and nothing in src/ttp/ may import the SDK's XDR types.
//
// Conventions: amounts are bigint base units; addresses are strkeys (G, M, C, L, B);
// hashes and ids are lowercase hex unless stated otherwise.

export type Asset = { readonly type: "native" } | { readonly type: "credit"; readonly code: string; readonly issuer: string };

export interface LedgerModel {
  readonly sequence: number;
  readonly hash: string;
  readonly previousHash: string;
  /** Close time, seconds since the Unix epoch. */
  readonly closedAt: number;
  readonly protocolVersion: number;
  /** LedgerCloseMeta union arm: 0, 1 or 2. */
  readonly metaVersion: number;
  /** Transactions in apply order; index is 1-based (SEP-35). */
  readonly transactions: readonly TransactionModel[];
}

export type Memo =
  | { readonly type: "none" }
  | { readonly type: "id"; readonly value: bigint }
  | { readonly type: "text"; readonly value: string }
  | { readonly type: "hash"; readonly value: string }
  | { readonly type: "return"; readonly value: string };

export interface TransactionModel {
  readonly index: number;
  readonly hash: string;
  readonly successful: boolean;
  /** TransactionResult.feeCharged (outer result for fee bumps). */
  readonly feeCharged: bigint;
  /** The account that paid the fee: the fee-bump's fee source, else the tx source (strkey, G or M). */
  readonly feeAccount: string;
  /** Source account of the (inner) transaction (strkey, G or M). */
  readonly sourceAccount: string;
  readonly sequenceNumber: bigint;
  readonly memo: Memo;
  readonly isFeeBump: boolean;
  readonly isSoroban: boolean;
  /** TransactionMeta union arm (1 to 4); 0 for the legacy operations-only meta. */
  readonly metaVersion: number;
  readonly operations: readonly OperationModel[];
  readonly feeChanges: readonly EntryChange[];
  readonly txChangesBefore: readonly EntryChange[];
  readonly txChangesAfter: readonly EntryChange[];
  /** LCM v2 (protocol 23+) fee refund changes applied after all transactions. */
  readonly postTxApplyFeeChanges: readonly EntryChange[];
  /** Transaction-level events of TxMeta v4 (CAP-67 fee events live here). */
  readonly transactionEvents: readonly ContractEventModel[];
}

export interface OperationModel {
  /** 0-based position in the transaction. */
  readonly index: number;
  /** Explicit operation source (strkey), or null when it inherits the transaction's. */
  readonly source: string | null;
  readonly body: OperationBody;
  readonly result: OperationResultModel;
  readonly changes: readonly EntryChange[];
  /** Contract events of this operation: TxMeta v3 Soroban events, or TxMeta v4 per-operation events. */
  readonly events: readonly ContractEventModel[];
}

export type OperationBody =
  | { readonly type: "createAccount"; readonly destination: string; readonly startingBalance: bigint }
  | { readonly type: "payment"; readonly destination: string; readonly asset: Asset; readonly amount: bigint }
  | { readonly type: "pathPaymentStrictReceive"; readonly destination: string; readonly destAsset: Asset; readonly destAmount: bigint }
  | { readonly type: "pathPaymentStrictSend"; readonly destination: string; readonly destAsset: Asset }
  | { readonly type: "manageSellOffer" }
  | { readonly type: "manageBuyOffer" }
  | { readonly type: "createPassiveSellOffer" }
  | { readonly type: "accountMerge"; readonly destination: string }
  | { readonly type: "inflation" }
  | { readonly type: "createClaimableBalance"; readonly asset: Asset; readonly amount: bigint }
  | { readonly type: "claimClaimableBalance"; readonly balanceId: string }
  | { readonly type: "clawback"; readonly from: string; readonly asset: Asset; readonly amount: bigint }
  | { readonly type: "clawbackClaimableBalance"; readonly balanceId: string }
  | { readonly type: "allowTrust" }
  | { readonly type: "setTrustLineFlags" }
  | { readonly type: "liquidityPoolDeposit" }
  | { readonly type: "liquidityPoolWithdraw" }
  | { readonly type: "invokeHostFunction" }
  | { readonly type: "other"; readonly name: string };

export type OperationType = OperationBody["type"];

/** One offer or pool crossed by an offer or path payment. */
export interface ClaimAtom {
  /** Seller account (G) or liquidity pool (L). */
  readonly seller: string;
  readonly assetSold: Asset;
  readonly amountSold: bigint;
  readonly assetBought: Asset;
  readonly amountBought: bigint;
}

export interface OperationResultModel {
  readonly successful: boolean;
  readonly offersClaimed: readonly ClaimAtom[];
  /** path_payment_strict_send: amount the destination received. */
  readonly destAmount: bigint | null;
  /** account_merge: balance moved to the destination (null when absent). */
  readonly sourceAccountBalance: bigint | null;
  /** create_claimable_balance: the new balance id (B strkey). */
  readonly balanceId: string | null;
  readonly inflationPayouts: readonly { readonly destination: string; readonly amount: bigint }[];
}

export type EntryChangeKind = "created" | "updated" | "removed" | "state" | "restored";

/** The parts of a ledger entry that hold value. Anything else is "other". */
export type EntryData =
  | { readonly type: "account"; readonly accountId: string; readonly balance: bigint; readonly sequenceNumber: bigint }
  | { readonly type: "trustline"; readonly accountId: string; readonly asset: Asset | null; readonly poolId: string | null; readonly balance: bigint }
  | { readonly type: "claimableBalance"; readonly balanceId: string; readonly asset: Asset; readonly amount: bigint }
  | {
      readonly type: "liquidityPool";
      /** L strkey. */
      readonly poolId: string;
      readonly assetA: Asset;
      readonly assetB: Asset;
      readonly reserveA: bigint;
      readonly reserveB: bigint;
    }
  | { readonly type: "other" };

/** A ledger entry's state before and after a change; pre is null for creations, post for removals. */
export interface EntryChange {
  readonly kind: EntryChangeKind;
  readonly pre: EntryData | null;
  readonly post: EntryData | null;
}

export type ScAddressKind = "account" | "contract" | "muxedAccount" | "claimableBalance" | "liquidityPool";

/** A decoded Soroban value, reduced to what token events carry. */
export type ScValue =
  | { readonly type: "symbol"; readonly value: string }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "address"; readonly value: string; readonly kind: ScAddressKind }
  | { readonly type: "i128"; readonly value: bigint }
  | { readonly type: "u64"; readonly value: bigint }
  | { readonly type: "bytes"; readonly value: Uint8Array }
  | { readonly type: "map"; readonly entries: readonly { readonly key: ScValue; readonly value: ScValue }[] }
  | { readonly type: "other"; readonly name: string };

export interface ContractEventModel {
  /** "contract", "system" or "diagnostic". */
  readonly kind: "contract" | "system" | "diagnostic";
  /** C strkey of the emitting contract, or null. */
  readonly contractId: string | null;
  readonly topics: readonly ScValue[];
  readonly data: ScValue;
}
