// Which events reach the sink: by event type, asset, account (from or to), contract, operation type.
import { parseAssetString } from "../stellar/asset.ts";
import { baseAccountOf, decodeStrkey } from "../stellar/strkey.ts";
import type { OperationType } from "../stellar/model.ts";
import { OPERATION_NAMES } from "../stellar/operation-names.ts";
import { TTP_EVENT_TYPES, type TtpEvent, type TtpEventType } from "./event.ts";
import { messageOf } from "../common/message-of.ts";

export interface EventFilterSpec {
  readonly eventTypes?: readonly string[];
  readonly assets?: readonly string[];
  readonly accounts?: readonly string[];
  readonly contracts?: readonly string[];
  /** Stellar operation names (payment, path_payment_strict_send, ...). Fee events belong to no operation. */
  readonly operationTypes?: readonly string[];
}

/** An event and the type of the operation it belongs to (null for fee events). */
export type EventPredicate = (event: TtpEvent, operationType: string | null) => boolean;

export const OPERATION_TYPE_NAMES: readonly string[] = OPERATION_NAMES.map(operationTypeName);

/** The Stellar name of a model operation type, e.g. pathPaymentStrictSend -> path_payment_strict_send. */
export function operationTypeName(type: OperationType | string): string {
  return type.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export class FilterError extends Error {
  override readonly name = "FilterError";
}

function validated(label: string, values: readonly string[] | undefined, check: (v: string) => string): Set<string> | null {
  if (!values || values.length === 0) return null;
  return new Set(
    values.map((v) => {
      try {
        return check(v.trim());
      } catch (error) {
        throw new FilterError(`${label}: ${messageOf(error)}`);
      }
    }),
  );
}

function strkey(kind: string, prefixes: string) {
  return (value: string): string => {
    if (!prefixes.includes(value[0] ?? "")) throw new Error(`"${value}" is not ${kind}`);
    decodeStrkey(value);
    return value.startsWith("M") ? baseAccountOf(value) : value;
  };
}

/** Builds the predicate, checking every value; null when no filter is set. */
export function eventPredicate(spec: EventFilterSpec): EventPredicate | null {
  const eventTypes = validated("--event-types", spec.eventTypes, (v) => {
    if (!TTP_EVENT_TYPES.includes(v as TtpEventType)) throw new Error(`"${v}" is not one of ${TTP_EVENT_TYPES.join(", ")}`);
    return v;
  });
  const assets = validated("--assets", spec.assets, (v) => {
    if (!parseAssetString(v)) throw new Error(`"${v}" is not an asset (native or CODE:ISSUER)`);
    return v;
  });
  const accounts = validated("--accounts", spec.accounts, strkey("an address (G, M, C, L or B strkey)", "GMCLB"));
  const contracts = validated("--contracts", spec.contracts, strkey("a contract address (C strkey)", "C"));
  const operationTypes = validated("--operation-types", spec.operationTypes, (v) => {
    if (!OPERATION_TYPE_NAMES.includes(v)) throw new Error(`"${v}" is not a Stellar operation type (e.g. payment, path_payment_strict_send)`);
    return v;
  });
  if (!eventTypes && !assets && !accounts && !contracts && !operationTypes) return null;
  return (event, operationType) =>
    (!eventTypes || eventTypes.has(event.eventType)) &&
    (!assets || (event.asset !== null && assets.has(event.asset))) &&
    (!accounts || (event.from !== null && accounts.has(event.from)) || (event.to !== null && accounts.has(event.to))) &&
    (!contracts || contracts.has(event.contractAddress)) &&
    (!operationTypes || (operationType !== null && operationTypes.has(operationType)));
}
