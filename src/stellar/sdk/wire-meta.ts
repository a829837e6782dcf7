// TransactionMeta (v0 to v4) into the model's per-transaction and per-operation parts.
import type { xdr } from "@stellar/stellar-sdk";
import type { ContractEventModel, EntryChange } from "../model.ts";
import { entryChanges } from "./wire-entries.ts";
import { contractEvent } from "./wire-events.ts";

export interface TransactionMetaParts {
  readonly metaVersion: number;
  readonly txChangesBefore: EntryChange[];
  readonly txChangesAfter: EntryChange[];
  readonly operations: { readonly changes: EntryChange[]; readonly events: ContractEventModel[] }[];
  /** Transaction-level events (TransactionMeta v4 only): CAP-67 fee events live here. */
  readonly transactionEvents: ContractEventModel[];
}

type OperationWire = { changes: readonly xdr.LedgerEntryChangeWire[]; events?: readonly xdr.ContractEventWire[] };

function parts(
  metaVersion: number,
  before: readonly xdr.LedgerEntryChangeWire[],
  operations: readonly OperationWire[],
  after: readonly xdr.LedgerEntryChangeWire[],
  transactionEvents: readonly xdr.ContractEventWire[] = [],
  sorobanEvents: readonly xdr.ContractEventWire[] = [],
): TransactionMetaParts {
  return {
    metaVersion,
    txChangesBefore: entryChanges(before),
    txChangesAfter: entryChanges(after),
    operations: operations.map((op, i) => ({
      changes: entryChanges(op.changes),
      // Before TransactionMeta v4, a Soroban transaction's single operation owns its events.
      events: (op.events ?? (i === 0 ? sorobanEvents : [])).map(contractEvent),
    })),
    transactionEvents: transactionEvents.map(contractEvent),
  };
}

export function transactionMetaParts(meta: xdr.TransactionMetaWire): TransactionMetaParts {
  switch (meta.v) {
    case 0:
      return parts(0, [], meta.operations, []);
    case 1:
      return parts(1, meta.v1.txChanges, meta.v1.operations, []);
    case 2:
      return parts(2, meta.v2.txChangesBefore, meta.v2.operations, meta.v2.txChangesAfter);
    case 3:
      return parts(3, meta.v3.txChangesBefore, meta.v3.operations, meta.v3.txChangesAfter, [], meta.v3.sorobanMeta?.events ?? []);
    case 4:
      return parts(4, meta.v4.txChangesBefore, meta.v4.operations, meta.v4.txChangesAfter, meta.v4.events.map((e) => e.event));
  }
}
