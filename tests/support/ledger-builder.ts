// Hand-built LedgerCloseMeta XDR for cases the shared ledgers lack. Built with the SDK's XDR
// schemas; ledger entries and headers start from real entries of the shared lakes (so every field
// has a realistic value) with the fields under test replaced.
import { xdr } from "@stellar/stellar-sdk";
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { sha256 } from "../../src/stellar/hash.ts";
import { decodeStrkey, muxedIdOf, baseAccountOf } from "../../src/stellar/strkey.ts";
import { envelopeHash } from "../../src/stellar/sdk/wire-envelopes.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

type Change = xdr.LedgerEntryChangeWire;
type Entry = xdr.LedgerEntryWire;
type ScVal = xdr.ScValWire;

const PUBNET = "Public Global Stellar Network ; September 2015";

async function ledgerWire(lake: string, sequence: number): Promise<xdr.LedgerCloseMetaWire> {
  const source = await openFolderLake(lakePath(lake));
  for await (const batch of source.batches({ start: sequence, end: sequence })) {
    for (const raw of rawLedgersOf(batch)) return xdr.LedgerCloseMeta.schema.decode(raw.xdr);
  }
  throw new Error(`no ledger ${sequence} in ${lake}`);
}

function bodyOf(meta: xdr.LedgerCloseMetaWire) {
  return meta.v === 0 ? meta.v0 : meta.v === 1 ? meta.v1 : meta.v2;
}

interface Templates {
  readonly byVersion: Record<0 | 1 | 2, xdr.LedgerCloseMetaWire>;
  readonly entries: Record<"account" | "trustline" | "claimableBalance" | "liquidityPool", Entry>;
  readonly sorobanData: xdr.SorobanTransactionDataWire;
  readonly invokeHostFunction: xdr.OperationBodyWire;
}

let templates: Promise<Templates> | undefined;

async function loadTemplates(): Promise<Templates> {
  const v0 = await ledgerWire("pubnet", 46154623);
  const v1 = await ledgerWire("pubnet", 56065483);
  const v2 = await ledgerWire("standalone-p23", 85);
  const found: Partial<Templates["entries"]> = {};
  const names = { 0: "account", 1: "trustline", 4: "claimableBalance", 5: "liquidityPool" } as const;
  for (const processing of bodyOf(v1).txProcessing) {
    const meta = processing.txApplyProcessing;
    if (meta.v !== 3) continue;
    for (const op of meta.v3.operations) {
      for (const change of op.changes) {
        const entry = change.type === 0 ? change.created : change.type === 1 ? change.updated : null;
        const name = entry ? names[entry.data.type as keyof typeof names] : undefined;
        if (entry && name && !found[name] && (name !== "trustline" || (entry.data.type === 1 && entry.data.trustLine.asset.type !== 3))) found[name] = entry;
      }
    }
  }
  if (v2.v !== 2) throw new Error("template p23 ledger is not v2");
  const phases = v2.v2.txSet.v1TxSet.phases;
  let soroban: xdr.TransactionEnvelopeWire | undefined;
  for (const phase of phases) {
    if (phase.v === 1) soroban = phase.parallelTxsComponent.executionStages[0]?.[0]?.[0];
    else soroban ??= phase.v0Components[0]?.txsMaybeDiscountedFee.txs.find((t) => t.type === 2 && t.v1.tx.ext.v === 1);
  }
  if (!soroban || soroban.type !== 2 || soroban.v1.tx.ext.v !== 1) throw new Error("no Soroban envelope in the p23 template");
  return {
    byVersion: { 0: v0, 1: v1, 2: v2 },
    entries: found as Templates["entries"],
    sorobanData: soroban.v1.tx.ext.sorobanData,
    invokeHostFunction: soroban.v1.tx.operations[0]!.body,
  };
}

// ---- values -------------------------------------------------------------------------------

export const publicKey = (account: string): xdr.PublicKeyWire => ({ type: 0, ed25519: decodeStrkey(baseAccountOf(account)).payload });

export function muxedAccount(address: string): xdr.MuxedAccountWire {
  if (address.startsWith("M")) {
    return { type: 256, med25519: { id: muxedIdOf(address), ed25519: decodeStrkey(baseAccountOf(address)).payload } };
  }
  return { type: 0, ed25519: decodeStrkey(address).payload };
}

export function asset(text: string): xdr.AssetWire {
  if (text === "native") return { type: 0 };
  const [code, issuer] = text.split(":") as [string, string];
  const bytes = new Uint8Array(code.length <= 4 ? 4 : 12);
  bytes.set(new TextEncoder().encode(code));
  return code.length <= 4 ? { type: 1, alphaNum4: { assetCode: bytes, issuer: publicKey(issuer) } } : { type: 2, alphaNum12: { assetCode: bytes, issuer: publicKey(issuer) } };
}

/** A 32-byte id from a label, for pools and claimable balances. */
export const idOf = (label: string): Uint8Array => sha256(new TextEncoder().encode(label));
export const balanceId = (hash: Uint8Array): xdr.ClaimableBalanceIdWire => ({ type: 0, v0: hash });

export const sym = (s: string): ScVal => ({ type: 15, sym: new xdr.XdrString(s) });
export const str = (s: string): ScVal => ({ type: 14, str: new xdr.XdrString(s) });
export const u64 = (v: bigint): ScVal => ({ type: 5, u64: v });
export const bytes = (b: Uint8Array): ScVal => ({ type: 13, bytes: b });
export const i128 = (v: bigint): ScVal => ({ type: 10, i128: { hi: BigInt.asIntN(64, v >> 64n), lo: BigInt.asUintN(64, v) } });
export const map = (entries: [ScVal, ScVal][]): ScVal => ({ type: 17, map: entries.map(([key, val]) => ({ key, val })) });

export function address(strkey: string): ScVal {
  const payload = () => decodeStrkey(strkey).payload;
  switch (strkey[0]) {
    case "G":
      return { type: 18, address: { type: 0, accountId: publicKey(strkey) } };
    case "M":
      return { type: 18, address: { type: 2, muxedAccount: { id: muxedIdOf(strkey), ed25519: decodeStrkey(baseAccountOf(strkey)).payload } } };
    case "C":
      return { type: 18, address: { type: 1, contractId: payload() } };
    default:
      throw new Error(`unsupported address ${strkey}`);
  }
}

export function contractEvent(contract: string, topics: ScVal[], data: ScVal): xdr.ContractEventWire {
  return { ext: { v: 0 }, contractId: decodeStrkey(contract).payload, type: 1, body: { v: 0, v0: { topics, data } } };
}

// ---- ledger entries and their changes -----------------------------------------------------

export class Entries {
  constructor(private readonly t: Templates["entries"]) {}

  account(g: string, balance: bigint): Entry {
    const base = this.t.account;
    if (base.data.type !== 0) throw new Error("bad account template");
    return { ...base, data: { type: 0, account: { ...base.data.account, accountId: publicKey(g), balance } } };
  }

  trustline(g: string, assetText: string, balance: bigint): Entry {
    const base = this.t.trustline;
    if (base.data.type !== 1) throw new Error("bad trustline template");
    return { ...base, data: { type: 1, trustLine: { ...base.data.trustLine, accountId: publicKey(g), asset: asset(assetText) as xdr.TrustLineAssetWire, balance } } };
  }

  claimableBalance(id: Uint8Array, assetText: string, amount: bigint): Entry {
    const base = this.t.claimableBalance;
    if (base.data.type !== 4) throw new Error("bad claimable balance template");
    return { ...base, data: { type: 4, claimableBalance: { ...base.data.claimableBalance, balanceId: balanceId(id), asset: asset(assetText), amount } } };
  }

  liquidityPool(id: Uint8Array, assetA: string, assetB: string, reserveA: bigint, reserveB: bigint): Entry {
    const base = this.t.liquidityPool;
    if (base.data.type !== 5) throw new Error("bad pool template");
    const cp = base.data.liquidityPool.body.constantProduct;
    return {
      ...base,
      data: {
        type: 5,
        liquidityPool: {
          liquidityPoolId: id,
          body: { type: 0, constantProduct: { ...cp, params: { ...cp.params, assetA: asset(assetA), assetB: asset(assetB) }, reserveA, reserveB } },
        },
      },
    };
  }
}

function keyOf(entry: Entry): xdr.LedgerKeyWire {
  const data = entry.data;
  switch (data.type) {
    case 0:
      return { type: 0, account: { accountId: data.account.accountId } };
    case 1:
      return { type: 1, trustLine: { accountId: data.trustLine.accountId, asset: data.trustLine.asset } };
    case 4:
      return { type: 4, claimableBalance: { balanceId: data.claimableBalance.balanceId } };
    case 5:
      return { type: 5, liquidityPool: { liquidityPoolId: data.liquidityPool.liquidityPoolId } };
    default:
      throw new Error(`no key for entry type ${data.type}`);
  }
}

export const updated = (pre: Entry, post: Entry): Change[] => [{ type: 3, state: pre }, { type: 1, updated: post }];
export const created = (entry: Entry): Change[] => [{ type: 0, created: entry }];
export const removed = (entry: Entry): Change[] => [{ type: 3, state: entry }, { type: 2, removed: keyOf(entry) }];

// ---- transactions and ledgers -------------------------------------------------------------

export interface OperationSpec {
  readonly source?: string;
  readonly body: xdr.OperationBodyWire;
  readonly result?: xdr.OperationResultTrWire;
  readonly changes?: Change[];
  readonly events?: xdr.ContractEventWire[];
}

export interface TransactionSpec {
  readonly source: string;
  readonly sequence?: bigint;
  readonly memo?: xdr.MemoWire;
  /** Wraps the transaction in a fee bump paid by this account. */
  readonly feeSource?: string;
  readonly soroban?: boolean;
  readonly feeCharged?: bigint;
  readonly failed?: boolean;
  readonly operations: OperationSpec[];
  readonly feeChanges?: Change[];
  readonly txChangesAfter?: Change[];
  /** LedgerCloseMeta v2 only. */
  readonly postTxApplyFeeChanges?: Change[];
  /** TransactionMeta v4 only. */
  readonly transactionEvents?: xdr.ContractEventWire[];
}

export class LedgerBuilder {
  private readonly transactions: TransactionSpec[] = [];

  private constructor(
    private readonly templates: Templates,
    /** LedgerCloseMeta arm: 0 (TxMeta v2), 1 (TxMeta v3) or 2 (TxMeta v4). */
    private readonly version: 0 | 1 | 2,
    private readonly protocol: number,
    private readonly sequence: number,
    private readonly passphrase: string,
  ) {}

  static async create(options: { version: 0 | 1 | 2; protocol: number; sequence?: number; passphrase?: string }): Promise<LedgerBuilder> {
    templates ??= loadTemplates();
    return new LedgerBuilder(await templates, options.version, options.protocol, options.sequence ?? 1000, options.passphrase ?? PUBNET);
  }

  static async entries(): Promise<Entries> {
    templates ??= loadTemplates();
    return new Entries((await templates).entries);
  }

  get hostFunction(): xdr.OperationBodyWire {
    return this.templates.invokeHostFunction;
  }

  add(tx: TransactionSpec): this {
    this.transactions.push(tx);
    return this;
  }

  build(): Uint8Array {
    const networkId = sha256(new TextEncoder().encode(this.passphrase));
    const envelopes: xdr.TransactionEnvelopeWire[] = [];
    const processing = this.transactions.map((spec, i) => {
      const { envelope, innerHash } = this.envelope(spec, BigInt(i + 1), networkId);
      envelopes.push(envelope);
      const hash = Buffer.from(envelopeHash(envelope, networkId), "hex");
      return { hash, result: this.result(spec, innerHash), spec };
    });
    const template = structuredClone(this.templates.byVersion[this.version]);
    const body = bodyOf(template);
    body.ledgerHeader.header.ledgerVersion = this.protocol;
    body.ledgerHeader.header.ledgerSeq = this.sequence;
    body.upgradesProcessing = [];
    if (template.v === 0) {
      template.v0.txSet = { previousLedgerHash: template.v0.txSet.previousLedgerHash, txs: envelopes };
      template.v0.txProcessing = processing.map((p) => ({ result: { transactionHash: p.hash, result: p.result }, feeProcessing: p.spec.feeChanges ?? [], txApplyProcessing: this.meta(p.spec) }));
    } else {
      const txSet: xdr.GeneralizedTransactionSetWire = {
        v: 1,
        v1TxSet: { previousLedgerHash: new Uint8Array(32), phases: [{ v: 0, v0Components: [{ type: 0, txsMaybeDiscountedFee: { baseFee: null, txs: envelopes } }] }] },
      };
      if (template.v === 1) {
        template.v1.txSet = txSet;
        template.v1.txProcessing = processing.map((p) => ({ result: { transactionHash: p.hash, result: p.result }, feeProcessing: p.spec.feeChanges ?? [], txApplyProcessing: this.meta(p.spec) }));
      } else {
        template.v2.txSet = txSet;
        template.v2.txProcessing = processing.map((p) => ({
          ext: { v: 0 },
          result: { transactionHash: p.hash, result: p.result },
          feeProcessing: p.spec.feeChanges ?? [],
          txApplyProcessing: this.meta(p.spec),
          postTxApplyFeeProcessing: p.spec.postTxApplyFeeChanges ?? [],
        }));
      }
    }
    return xdr.LedgerCloseMeta.schema.encode(template);
  }

  private envelope(spec: TransactionSpec, defaultSequence: bigint, networkId: Uint8Array) {
    const tx: xdr.TransactionWire = {
      sourceAccount: muxedAccount(spec.source),
      fee: 100,
      seqNum: spec.sequence ?? defaultSequence,
      cond: { type: 0 },
      memo: spec.memo ?? { type: 0 },
      operations: spec.operations.map((op) => ({ sourceAccount: op.source ? muxedAccount(op.source) : null, body: op.body })),
      ext: spec.soroban ? { v: 1, sorobanData: this.templates.sorobanData } : { v: 0 },
    };
    const inner: xdr.TransactionEnvelopeWire = { type: 2, v1: { tx, signatures: [] } };
    if (!spec.feeSource) return { envelope: inner, innerHash: null };
    const envelope: xdr.TransactionEnvelopeWire = {
      type: 5,
      feeBump: { tx: { feeSource: muxedAccount(spec.feeSource), fee: 1000n, innerTx: { type: 2, v1: { tx, signatures: [] } }, ext: { v: 0 } }, signatures: [] },
    };
    return { envelope, innerHash: Buffer.from(envelopeHash(inner, networkId), "hex") };
  }

  private result(spec: TransactionSpec, innerHash: Uint8Array | null): xdr.TransactionResultWire {
    const results: xdr.OperationResultWire[] = spec.operations.map((op) => (op.result ? { code: 0, tr: op.result } : { code: -1 }));
    const feeCharged = spec.feeCharged ?? 100n;
    const outcome: xdr.InnerTransactionResultResultWire = spec.failed ? { code: -1, results } : { code: 0, results };
    if (innerHash) {
      return {
        feeCharged,
        result: spec.failed
          ? { code: -13, innerResultPair: { transactionHash: innerHash, result: { feeCharged, result: outcome, ext: { v: 0 } } } }
          : { code: 1, innerResultPair: { transactionHash: innerHash, result: { feeCharged, result: outcome, ext: { v: 0 } } } },
        ext: { v: 0 },
      };
    }
    return { feeCharged, result: outcome as xdr.TransactionResultResultWire, ext: { v: 0 } };
  }

  private meta(spec: TransactionSpec): xdr.TransactionMetaWire {
    const ops = spec.failed ? [] : spec.operations;
    const after = spec.txChangesAfter ?? [];
    if (this.version === 0) return { v: 2, v2: { txChangesBefore: [], operations: ops.map((o) => ({ changes: o.changes ?? [] })), txChangesAfter: after } };
    if (this.version === 1) {
      return {
        v: 3,
        v3: {
          ext: { v: 0 },
          txChangesBefore: [],
          operations: ops.map((o) => ({ changes: o.changes ?? [] })),
          txChangesAfter: after,
          sorobanMeta: spec.soroban ? { ext: { v: 0 }, events: ops[0]?.events ?? [], returnValue: { type: 1 }, diagnosticEvents: [] } : null,
        },
      };
    }
    return {
      v: 4,
      v4: {
        ext: { v: 0 },
        txChangesBefore: [],
        operations: ops.map((o) => ({ ext: { v: 0 }, changes: o.changes ?? [], events: o.events ?? [] })),
        txChangesAfter: after,
        sorobanMeta: spec.soroban ? { ext: { v: 0 }, returnValue: null } : null,
        events: (spec.transactionEvents ?? []).map((event) => ({ stage: 0, event })),
        diagnosticEvents: [],
      },
    };
  }
}
