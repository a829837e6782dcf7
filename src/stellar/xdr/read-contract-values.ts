// Soroban values (Stellar-contract.x): ScVal, ScAddress, ContractExecutable, ContractEvent.
// Token events only need symbols, strings, addresses, i128/u64 amounts, bytes and maps; every
// other ScVal arm is skipped by structure and kept as { type: "other", name }.
import type { ContractEventModel, ScValue } from "../model.ts";
import type { XdrReader } from "./xdr-reader.ts";
import { accountStrkey, claimableBalanceStrkey, contractStrkey, liquidityPoolStrkey, muxedStrkey } from "./strkey-writer.ts";
import { skipAccountId, skipAsset, skipClaimableBalanceId } from "./read-values.ts";

/** Deeper nesting than this is treated as malformed (the host caps it far lower). */
const MAX_DEPTH = 200;

const SC_VAL_NAMES = [
  "bool", "void", "error", "u32", "i32", "u64", "i64", "timepoint", "duration", "u128", "i128", "u256", "i256",
  "bytes", "string", "symbol", "vec", "map", "address", "contractInstance", "ledgerKeyContractInstance",
  "ledgerKeyNonce", "executableTag",
];
const OTHER_VALUES: ScValue[] = SC_VAL_NAMES.map((name) => ({ type: "other", name }));

function tooDeep(r: XdrReader, depth: number): void {
  if (depth > MAX_DEPTH) r.fail(`nested deeper than ${MAX_DEPTH} levels`, "SCVal");
}

export function readScAddress(r: XdrReader): Extract<ScValue, { type: "address" }> {
  switch (r.arm("SCAddress", 0, 4)) {
    case 0:
      r.arm("SCAddress.accountId", 0, 0);
      return { type: "address", kind: "account", value: accountStrkey(r.bytes, r.take(32, "SCAddress.accountId")) };
    case 1:
      return { type: "address", kind: "contract", value: contractStrkey(r.bytes, r.take(32, "SCAddress.contractId")) };
    case 2: {
      const idAt = r.take(8, "SCAddress.muxedAccount.id");
      return { type: "address", kind: "muxedAccount", value: muxedStrkey(r.bytes, r.take(32, "SCAddress.muxedAccount.ed25519"), idAt) };
    }
    case 3: {
      const typeAt = r.pos;
      r.arm("SCAddress.claimableBalanceId", 0, 0);
      r.skip(32, "SCAddress.claimableBalanceId");
      return { type: "address", kind: "claimableBalance", value: claimableBalanceStrkey(r.bytes, typeAt) };
    }
    default:
      return { type: "address", kind: "liquidityPool", value: liquidityPoolStrkey(r.bytes, r.take(32, "SCAddress.liquidityPoolId")) };
  }
}

export function skipScAddress(r: XdrReader): void {
  switch (r.arm("SCAddress", 0, 4)) {
    case 0:
      return skipAccountId(r, "SCAddress.accountId");
    case 1:
    case 4:
      return r.skip(32, "SCAddress");
    case 2:
      return r.skip(40, "SCAddress.muxedAccount");
    default:
      return skipClaimableBalanceId(r);
  }
}

/** ContractExecutable: WASM (hash), STELLAR_ASSET (void), EXTERNAL_REF { SCAddress owner; string tag }. */
export function skipContractExecutable(r: XdrReader): void {
  switch (r.arm("ContractExecutable", 0, 2)) {
    case 0:
      return r.skip(32, "ContractExecutable.wasm_hash");
    case 1:
      return;
    default:
      skipScAddress(r);
      return r.skipOpaque("ContractExecutable.externalRef.tag");
  }
}

function skipScMapEntries(r: XdrReader, depth: number): void {
  if (!r.present("SCMap")) return;
  const n = r.count("SCMap", 8);
  for (let i = 0; i < n; i++) {
    skipScVal(r, depth + 1);
    skipScVal(r, depth + 1);
  }
}

export function skipScVal(r: XdrReader, depth = 0): void {
  tooDeep(r, depth);
  const at = r.pos;
  const type = r.arm("SCVal", 0, 22);
  switch (type) {
    case 0:
      r.bool("SCVal.b");
      return;
    case 1:
    case 20:
      return;
    case 2:
      // SCError: SCE_CONTRACT carries a uint32 code, every other type an SCErrorCode enum.
      if (r.arm("SCError", 0, 9) === 0) r.skip(4, "SCError.contractCode");
      else r.arm("SCErrorCode", 0, 9);
      return;
    case 3:
    case 4:
      return r.skip(4, "SCVal");
    case 5:
    case 6:
    case 7:
    case 8:
    case 21:
      return r.skip(8, "SCVal");
    case 9:
    case 10:
      return r.skip(16, "SCVal");
    case 11:
    case 12:
      return r.skip(32, "SCVal");
    case 13:
    case 14:
    case 22:
      return r.skipOpaque(`SCVal.${SC_VAL_NAMES[type]}`);
    case 15:
      return r.skipOpaque("SCSymbol", 32);
    case 16: {
      if (!r.present("SCVec")) return;
      const n = r.count("SCVec", 4);
      for (let i = 0; i < n; i++) skipScVal(r, depth + 1);
      return;
    }
    case 17:
      return skipScMapEntries(r, depth);
    case 18:
      return skipScAddress(r);
    case 19:
      skipContractExecutable(r);
      return skipScMapEntries(r, depth);
    default:
      return r.fail(`unhandled union arm ${type}`, "SCVal", at);
  }
}

export function readScVal(r: XdrReader, depth = 0): ScValue {
  tooDeep(r, depth);
  const at = r.pos;
  const type = r.arm("SCVal", 0, 22);
  switch (type) {
    case 5:
      return { type: "u64", value: r.u64("SCVal.u64") };
    case 10: {
      const hi = r.i64("Int128Parts.hi");
      const lo = r.u64("Int128Parts.lo");
      return { type: "i128", value: (hi << 64n) | lo };
    }
    case 13:
      return { type: "bytes", value: r.opaque("SCBytes") };
    case 14:
      return { type: "string", value: r.string("SCString") };
    case 15:
      return { type: "symbol", value: r.string("SCSymbol", 32) };
    case 17: {
      const entries: { key: ScValue; value: ScValue }[] = [];
      if (r.present("SCMap")) {
        const n = r.count("SCMap", 8);
        for (let i = 0; i < n; i++) entries.push({ key: readScVal(r, depth + 1), value: readScVal(r, depth + 1) });
      }
      return { type: "map", entries };
    }
    case 18:
      return readScAddress(r);
    default:
      r.pos = at;
      skipScVal(r, depth);
      return OTHER_VALUES[type]!;
  }
}

const EVENT_KINDS = ["system", "contract", "diagnostic"] as const;

/** ContractEvent { ExtensionPoint ext; ContractID* contractID; ContractEventType type; union (int v) { 0: V0 } body }. */
export function readContractEvent(r: XdrReader): ContractEventModel {
  r.ext0("ContractEvent.ext");
  const contractId = r.present("ContractEvent.contractID") ? contractStrkey(r.bytes, r.take(32, "ContractEvent.contractID")) : null;
  const kind = EVENT_KINDS[r.arm("ContractEventType", 0, 2)]!;
  r.ext0("ContractEvent.body");
  const n = r.count("ContractEventV0.topics", 4);
  const topics: ScValue[] = new Array(n);
  for (let i = 0; i < n; i++) topics[i] = readScVal(r);
  return { kind, contractId, topics, data: readScVal(r) };
}

export function skipContractEvent(r: XdrReader): void {
  r.ext0("ContractEvent.ext");
  if (r.present("ContractEvent.contractID")) r.skip(32, "ContractEvent.contractID");
  r.arm("ContractEventType", 0, 2);
  r.ext0("ContractEvent.body");
  const n = r.count("ContractEventV0.topics", 4);
  for (let i = 0; i < n; i++) skipScVal(r);
  skipScVal(r);
}

/** ContractIDPreimage: FROM_ADDRESS { SCAddress; uint256 salt } or FROM_ASSET { Asset }. */
export function skipContractIdPreimage(r: XdrReader): void {
  if (r.arm("ContractIDPreimage", 0, 1) === 0) {
    skipScAddress(r);
    r.skip(32, "ContractIDPreimage.fromAddress.salt");
  } else {
    skipAsset(r, "ContractIDPreimage.fromAsset");
  }
}
