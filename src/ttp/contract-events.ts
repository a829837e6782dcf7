// SEP-41 token events emitted by contracts (CAP-46 / CAP-67), read into TTP events.
// Events that are not SEP-41 token events are skipped, never fatal.
import type { ContractEventModel, ScValue } from "../stellar/model.ts";
import { parseAssetString } from "../stellar/asset.ts";
import type { TtpEvent, TtpEventType } from "./event.ts";
import type { MuxedInfo, TransactionEventContext } from "./event-context.ts";
import { toHex } from "../stellar/hash.ts";

const TOKEN_EVENTS = new Set<string>(["transfer", "mint", "burn", "clawback"]);

function address(value: ScValue | undefined): string | null {
  return value?.type === "address" ? value.value : null;
}

/** Topic count of a Stellar Asset Contract event, whose last topic is the SEP-11 asset. */
function sacTopicCount(name: string, metaVersion: number): number {
  if (metaVersion === 3) return name === "burn" ? 3 : 4; // V3 keeps the admin in mint and clawback
  return name === "transfer" ? 4 : 3;
}

function muxedInfoOf(value: ScValue): MuxedInfo | null | undefined {
  switch (value.type) {
    case "u64":
      return { type: "id", value: value.value.toString() };
    case "bytes": {
      const hash = new Uint8Array(32);
      hash.set(value.value.subarray(0, 32));
      return { type: "hash", value: toHex(hash) };
    }
    case "string":
      return { type: "text", value: value.value };
    default:
      return undefined;
  }
}

/** Amount and destination info of a V4 event's data: an i128, or a map {amount, to_muxed_id}. */
function v4Data(data: ScValue): { amount: bigint; toMuxed: MuxedInfo | null } | null {
  if (data.type === "i128") return { amount: data.value, toMuxed: null };
  if (data.type !== "map") return null;
  let amount: bigint | null = null;
  let toMuxed: MuxedInfo | null = null;
  for (const { key, value } of data.entries) {
    if (key.type !== "symbol") return null;
    if (key.value === "amount") {
      if (value.type !== "i128") return null;
      amount = value.value;
    } else if (key.value === "to_muxed_id") {
      const info = muxedInfoOf(value);
      if (info === undefined) return null;
      toMuxed = info;
    }
  }
  return amount === null ? null : { amount, toMuxed };
}

interface ParsedTokenEvent {
  readonly type: TtpEventType;
  readonly from: string | null;
  readonly to: string | null;
  readonly amount: bigint;
  readonly toMuxed: MuxedInfo | null;
}

function parseTokenEvent(name: string, topics: readonly ScValue[], data: ScValue, metaVersion: number): ParsedTokenEvent | null {
  const parsedData = metaVersion === 3 ? (data.type === "i128" ? { amount: data.value, toMuxed: null } : null) : v4Data(data);
  if (!parsedData) return null;
  const { amount, toMuxed } = parsedData;
  // V3 mint and clawback carry the admin first; it must be an address but is not reported.
  const shift = metaVersion === 3 && (name === "mint" || name === "clawback") ? 1 : 0;
  if (shift === 1 && (topics.length < 3 || address(topics[1]) === null)) return null;
  switch (name) {
    case "transfer": {
      const from = address(topics[1]);
      const to = address(topics[2]);
      return topics.length >= 3 && from && to ? { type: "transfer", from, to, amount, toMuxed } : null;
    }
    case "mint": {
      const to = address(topics[1 + shift]);
      return to ? { type: "mint", from: null, to, amount, toMuxed } : null;
    }
    case "burn":
    case "clawback": {
      const from = address(topics[1 + shift]);
      return from ? { type: name, from, to: null, amount, toMuxed } : null;
    }
    default:
      return null;
  }
}

/**
 * The TTP event of a contract event, or null when it is not a SEP-41 token event. A Stellar Asset
 * Contract is recognised by its last topic (the SEP-11 asset) hashing to the emitting contract's
 * id; other tokens keep a null asset.
 */
export function tokenEventOf(ctx: TransactionEventContext, operationIndex: number, event: ContractEventModel, metaVersion: number): TtpEvent | null {
  if (event.kind !== "contract" || event.contractId === null) return null;
  if (metaVersion !== 3 && metaVersion !== 4) return null;
  const { topics } = event;
  const name = topics[0]?.type === "symbol" ? topics[0].value : null;
  if (topics.length < 2 || name === null || !TOKEN_EVENTS.has(name)) return null;
  const parsed = parseTokenEvent(name, topics, event.data, metaVersion);
  if (!parsed) return null;

  const last = topics[topics.length - 1]!;
  const asset =
    topics.length === sacTopicCount(name, metaVersion) && last.type === "string" && last.value !== "" ? parseAssetString(last.value) : null;
  const isSac = asset !== null && ctx.sac.addressOf(asset) === event.contractId;

  if (isSac && metaVersion === 3 && parsed.type === "transfer") {
    // Before CAP-67, SAC mints and burns were reported as transfers from or to the issuer.
    return ctx.movement(operationIndex, asset, parsed.from!, parsed.to!, parsed.amount, true);
  }
  return ctx.event({
    type: parsed.type,
    operationIndex,
    from: parsed.from,
    to: parsed.to,
    asset: isSac ? asset : null,
    amount: parsed.amount,
    contractAddress: event.contractId,
    toMuxed: parsed.toMuxed,
  });
}

/** Token events of one operation's contract events, in emission order. */
export function operationTokenEvents(ctx: TransactionEventContext, operationIndex: number): TtpEvent[] {
  const op = ctx.tx.operations[operationIndex];
  if (!op) return [];
  const out: TtpEvent[] = [];
  for (const event of op.events) {
    const parsed = tokenEventOf(ctx, operationIndex, event, ctx.tx.metaVersion);
    if (parsed) out.push(parsed);
  }
  return out;
}
