// Builds TTP events for one transaction: the shared meta (ledger, tx, operation, contract) and
// the issuer rule that decides between mint, burn and transfer.
import type { Asset, LedgerModel, Memo, TransactionModel } from "../stellar/model.ts";
import { assetString, type SacAddressBook } from "../stellar/asset.ts";
import { baseAccountOf, isAccountStrkey, muxedIdOf } from "../stellar/strkey.ts";
import type { MuxedInfoType, TtpEvent, TtpEventType } from "./event.ts";

export interface MuxedInfo {
  readonly type: MuxedInfoType;
  readonly value: string;
}

export interface EventFields {
  readonly type: TtpEventType;
  /** 0-based operation index, or null for transaction-level (fee) events. */
  readonly operationIndex: number | null;
  readonly from: string | null;
  readonly to: string | null;
  /** The asset, or null for a contract token that is not a Stellar Asset Contract. */
  readonly asset: Asset | null;
  readonly amount: bigint;
  readonly contractAddress: string;
  readonly toMuxed?: MuxedInfo | null;
}

export function muxedInfoFromMemo(memo: Memo): MuxedInfo | null {
  switch (memo.type) {
    case "none":
      return null;
    case "id":
      return { type: "id", value: memo.value.toString() };
    case "text":
      return { type: "text", value: memo.value };
    case "hash":
    case "return":
      return { type: "hash", value: memo.value };
  }
}

export class TransactionEventContext {
  constructor(
    readonly ledger: LedgerModel,
    readonly tx: TransactionModel,
    readonly sac: SacAddressBook,
  ) {}

  event(fields: EventFields): TtpEvent {
    return {
      ledgerSequence: this.ledger.sequence,
      closedAt: this.ledger.closedAt,
      txHash: this.tx.hash,
      transactionIndex: this.tx.index,
      operationIndex: fields.operationIndex === null ? null : fields.operationIndex + 1,
      eventType: fields.type,
      from: fields.from,
      to: fields.to,
      asset: fields.asset ? assetString(fields.asset) : null,
      amount: fields.amount,
      contractAddress: fields.contractAddress,
      toMuxedType: fields.toMuxed?.type ?? null,
      toMuxedValue: fields.toMuxed?.value ?? null,
    };
  }

  /** An event about a Stellar asset: its contract address is the asset's SAC. */
  assetEvent(type: TtpEventType, operationIndex: number | null, asset: Asset, from: string | null, to: string | null, amount: bigint): TtpEvent {
    return this.event({ type, operationIndex, from, to, asset, amount, contractAddress: this.sac.addressOf(asset) });
  }

  /**
   * CAP-67 destination info: the muxed id of an M destination, else the transaction memo; only for
   * account destinations, and never for Soroban transactions before protocol 23.
   */
  destinationMuxedInfo(to: string): MuxedInfo | null {
    if (!isAccountStrkey(to)) return null;
    if (this.tx.isSoroban && this.ledger.protocolVersion < 23) return null;
    if (to.startsWith("M")) return { type: "id", value: muxedIdOf(to).toString() };
    return muxedInfoFromMemo(this.tx.memo);
  }

  /**
   * The issuer rule: value leaving the asset's issuer is a mint, value reaching it is a burn,
   * between the issuer and itself a transfer; otherwise a transfer. Account addresses are
   * reported as G addresses; muxed ids travel in the destination info.
   */
  movement(operationIndex: number, asset: Asset, fromStrkey: string, toStrkey: string, amount: bigint, includeMuxedInfo: boolean): TtpEvent {
    const from = isAccountStrkey(fromStrkey) ? baseAccountOf(fromStrkey) : fromStrkey;
    const to = isAccountStrkey(toStrkey) ? baseAccountOf(toStrkey) : toStrkey;
    const issuer = asset.type === "credit" ? asset.issuer : null;
    const fromIssuer = issuer !== null && from === issuer;
    const toIssuer = issuer !== null && to === issuer;
    const contractAddress = this.sac.addressOf(asset);
    if (fromIssuer && toIssuer) {
      return this.event({ type: "transfer", operationIndex, from, to, asset, amount, contractAddress });
    }
    if (toIssuer) return this.event({ type: "burn", operationIndex, from, to: null, asset, amount, contractAddress });
    const toMuxed = includeMuxedInfo ? this.destinationMuxedInfo(toStrkey) : null;
    if (fromIssuer) return this.event({ type: "mint", operationIndex, from: null, to, asset, amount, contractAddress, toMuxed });
    return this.event({ type: "transfer", operationIndex, from, to, asset, amount, contractAddress, toMuxed });
  }

  operationSource(operationIndex: number): string {
    return this.tx.operations[operationIndex]?.source ?? this.tx.sourceAccount;
  }
}

/** A transaction's events could not be derived; names the ledger, transaction and operation. */
export class TtpError extends Error {
  override readonly name = "TtpError";
  constructor(message: string, ledger: number, txHash: string, operationIndex: number | null) {
    super(`${message} (ledger ${ledger}, tx ${txHash}${operationIndex === null ? "" : `, operation ${operationIndex + 1}`})`);
  }
}
