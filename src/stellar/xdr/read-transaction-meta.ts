// TransactionMeta v0 to v4 (Stellar-ledger.x) into the model's per-transaction and
// per-operation parts. Diagnostic events and Soroban return values are skipped.
import type { ContractEventModel, EntryChange } from "../model.ts";
import type { XdrReader } from "./xdr-reader.ts";
import { readEntryChanges } from "./read-entries.ts";
import { readContractEvent, skipContractEvent, skipScVal } from "./read-contract-values.ts";

export interface OperationMetaParts {
  readonly changes: EntryChange[];
  readonly events: ContractEventModel[];
}

export interface TransactionMetaParts {
  readonly metaVersion: number;
  readonly txChangesBefore: EntryChange[];
  readonly txChangesAfter: EntryChange[];
  readonly operations: OperationMetaParts[];
  readonly transactionEvents: ContractEventModel[];
}

const NONE: never[] = [];

function readEvents(r: XdrReader, type: string): ContractEventModel[] {
  const n = r.count(type, 16);
  if (n === 0) return NONE;
  const out: ContractEventModel[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readContractEvent(r);
  return out;
}

function skipDiagnosticEvents(r: XdrReader): void {
  const n = r.count("DiagnosticEvent", 20);
  for (let i = 0; i < n; i++) {
    r.bool("DiagnosticEvent.inSuccessfulContractCall");
    skipContractEvent(r);
  }
}

/** OperationMeta { LedgerEntryChanges changes } (v0 to v3). */
function readOperationMetas(r: XdrReader): OperationMetaParts[] {
  const n = r.count("OperationMeta", 4);
  const out: OperationMetaParts[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { changes: readEntryChanges(r), events: NONE };
  return out;
}

/** SorobanTransactionMeta(V2).ext: v0, or v1 { ExtensionPoint; int64 x3 fees }. */
function skipSorobanMetaExt(r: XdrReader): void {
  if (r.arm("SorobanTransactionMetaExt", 0, 1) === 1) {
    r.ext0("SorobanTransactionMetaExtV1.ext");
    r.skip(24, "SorobanTransactionMetaExtV1 fees");
  }
}

export function readTransactionMeta(r: XdrReader): TransactionMetaParts {
  const version = r.arm("TransactionMeta", 0, 4);
  if (version === 0) return { metaVersion: 0, txChangesBefore: NONE, txChangesAfter: NONE, operations: readOperationMetas(r), transactionEvents: NONE };
  if (version === 1) {
    const txChangesBefore = readEntryChanges(r);
    return { metaVersion: 1, txChangesBefore, txChangesAfter: NONE, operations: readOperationMetas(r), transactionEvents: NONE };
  }
  if (version === 2) {
    const txChangesBefore = readEntryChanges(r);
    const operations = readOperationMetas(r);
    return { metaVersion: 2, txChangesBefore, operations, txChangesAfter: readEntryChanges(r), transactionEvents: NONE };
  }
  r.ext0(`TransactionMetaV${version}.ext`);
  const txChangesBefore = readEntryChanges(r);
  if (version === 3) {
    const operations = readOperationMetas(r);
    const txChangesAfter = readEntryChanges(r);
    if (r.present("TransactionMetaV3.sorobanMeta")) {
      skipSorobanMetaExt(r);
      // Before TransactionMeta v4, a Soroban transaction's single operation owns its events.
      const events = readEvents(r, "SorobanTransactionMeta.events");
      skipScVal(r);
      skipDiagnosticEvents(r);
      const first = operations[0];
      if (first) operations[0] = { changes: first.changes, events };
    }
    return { metaVersion: 3, txChangesBefore, operations, txChangesAfter, transactionEvents: NONE };
  }
  // OperationMetaV2 { ExtensionPoint ext; LedgerEntryChanges changes; ContractEvent events<> }.
  const count = r.count("OperationMetaV2", 12);
  const operations: OperationMetaParts[] = new Array(count);
  for (let i = 0; i < count; i++) {
    r.ext0("OperationMetaV2.ext");
    const changes = readEntryChanges(r);
    operations[i] = { changes, events: readEvents(r, "OperationMetaV2.events") };
  }
  const txChangesAfter = readEntryChanges(r);
  if (r.present("TransactionMetaV4.sorobanMeta")) {
    skipSorobanMetaExt(r);
    if (r.present("SorobanTransactionMetaV2.returnValue")) skipScVal(r);
  }
  // TransactionEvent { TransactionEventStage stage; ContractEvent event }.
  const n = r.count("TransactionEvent", 20);
  const transactionEvents: ContractEventModel[] = n === 0 ? NONE : new Array(n);
  for (let i = 0; i < n; i++) {
    r.arm("TransactionEventStage", 0, 2);
    transactionEvents[i] = readContractEvent(r);
  }
  skipDiagnosticEvents(r);
  return { metaVersion: 4, txChangesBefore, operations, txChangesAfter, transactionEvents };
}
