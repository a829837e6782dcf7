// Conversions of SDK "wire" XDR values (plain objects) into the decoder-neutral model.
import type { xdr } from "@stellar/stellar-sdk";
import type { Asset, ScValue } from "../model.ts";
import { toHex } from "../hash.ts";
import {
  encodeAccountId,
  encodeClaimableBalanceId,
  encodeContractId,
  encodeLiquidityPoolId,
  encodeMuxedAccount,
} from "../strkey.ts";

const decoder = new TextDecoder();

export function publicKeyStrkey(key: xdr.PublicKeyWire): string {
  return encodeAccountId(key.ed25519);
}

export function muxedAccountStrkey(account: xdr.MuxedAccountWire): string {
  return account.type === 0 ? encodeAccountId(account.ed25519) : encodeMuxedAccount(account.med25519.ed25519, account.med25519.id);
}

function assetCode(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return decoder.decode(bytes.subarray(0, end));
}

export function assetOf(asset: xdr.AssetWire): Asset {
  switch (asset.type) {
    case 0:
      return { type: "native" };
    case 1:
      return { type: "credit", code: assetCode(asset.alphaNum4.assetCode), issuer: publicKeyStrkey(asset.alphaNum4.issuer) };
    case 2:
      return { type: "credit", code: assetCode(asset.alphaNum12.assetCode), issuer: publicKeyStrkey(asset.alphaNum12.issuer) };
  }
}

export function claimableBalanceIdStrkey(id: xdr.ClaimableBalanceIdWire): string {
  return encodeClaimableBalanceId(id.v0, id.type);
}

export function scAddress(address: xdr.ScAddressWire): Extract<ScValue, { type: "address" }> {
  switch (address.type) {
    case 0:
      return { type: "address", kind: "account", value: publicKeyStrkey(address.accountId) };
    case 1:
      return { type: "address", kind: "contract", value: encodeContractId(address.contractId) };
    case 2:
      return {
        type: "address",
        kind: "muxedAccount",
        value: encodeMuxedAccount(address.muxedAccount.ed25519, address.muxedAccount.id),
      };
    case 3:
      return { type: "address", kind: "claimableBalance", value: claimableBalanceIdStrkey(address.claimableBalanceId) };
    case 4:
      return { type: "address", kind: "liquidityPool", value: encodeLiquidityPoolId(address.liquidityPoolId) };
  }
}

const SC_VAL_NAMES = [
  "bool", "void", "error", "u32", "i32", "u64", "i64", "timepoint", "duration", "u128", "i128", "u256", "i256",
  "bytes", "string", "symbol", "vec", "map", "address", "contractInstance", "ledgerKeyContractInstance",
  "ledgerKeyNonce", "executableTag",
];

export function scValue(value: xdr.ScValWire): ScValue {
  switch (value.type) {
    case 5:
      return { type: "u64", value: value.u64 };
    case 10:
      return { type: "i128", value: (BigInt.asIntN(64, value.i128.hi) << 64n) | BigInt.asUintN(64, value.i128.lo) };
    case 13:
      return { type: "bytes", value: value.bytes };
    case 14:
      return { type: "string", value: value.str.toString() };
    case 15:
      return { type: "symbol", value: value.sym.toString() };
    case 17:
      return { type: "map", entries: (value.map ?? []).map((e) => ({ key: scValue(e.key), value: scValue(e.val) })) };
    case 18:
      return scAddress(value.address);
    default:
      return { type: "other", name: SC_VAL_NAMES[value.type] ?? `type${value.type}` };
  }
}

export const hex = toHex;
