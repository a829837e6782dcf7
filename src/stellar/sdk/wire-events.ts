import type { xdr } from "@stellar/stellar-sdk";
import type { ContractEventModel } from "../model.ts";
import { encodeContractId } from "../strkey.ts";
import { scValue } from "./wire-values.ts";

const EVENT_KINDS = ["system", "contract", "diagnostic"] as const;

export function contractEvent(event: xdr.ContractEventWire): ContractEventModel {
  return {
    kind: EVENT_KINDS[event.type] ?? "diagnostic",
    contractId: event.contractId ? encodeContractId(event.contractId) : null,
    topics: event.body.v0.topics.map(scValue),
    data: scValue(event.body.v0.data),
  };
}
