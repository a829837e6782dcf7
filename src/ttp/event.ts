// One TTP event, as the data contract of `ttp_events` describes it (see ../shared/ENGINEERING.md).

export type TtpEventType = "transfer" | "mint" | "burn" | "clawback" | "fee";

export const TTP_EVENT_TYPES: readonly TtpEventType[] = ["transfer", "mint", "burn", "clawback", "fee"];

export type MuxedInfoType = "id" | "text" | "hash";

export interface TtpEvent {
  readonly ledgerSequence: number;
  /** Ledger close time, seconds since the Unix epoch. */
  readonly closedAt: number;
  readonly txHash: string;
  /** 1-based apply order of the transaction in its ledger. */
  readonly transactionIndex: number;
  /** 1-based operation index, or null for fee events. */
  readonly operationIndex: number | null;
  readonly eventType: TtpEventType;
  readonly from: string | null;
  readonly to: string | null;
  /** "native", "CODE:ISSUER", or null for non-SAC contract tokens. */
  readonly asset: string | null;
  readonly amount: bigint;
  readonly contractAddress: string;
  readonly toMuxedType: MuxedInfoType | null;
  readonly toMuxedValue: string | null;
}
