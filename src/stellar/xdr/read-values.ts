// Small XDR values the model keeps: account ids, muxed accounts, assets, claimable balance ids.
// Layouts from stellar-xdr (Stellar-types.x, Stellar-ledger-entries.x, Stellar-transaction.x).
import type { Asset } from "../model.ts";
import type { XdrReader } from "./xdr-reader.ts";
import { accountStrkey, claimableBalanceStrkey, liquidityPoolStrkey, muxedStrkey } from "./strkey-writer.ts";

const NATIVE: Asset = { type: "native" };
const utf8 = new TextDecoder();

/** PublicKey (AccountID / NodeID): PUBLIC_KEY_TYPE_ED25519 then 32 bytes. */
export function readAccountId(r: XdrReader, type = "PublicKey"): string {
  r.arm(type, 0, 0);
  return accountStrkey(r.bytes, r.take(32, type));
}

export function skipAccountId(r: XdrReader, type = "PublicKey"): void {
  r.arm(type, 0, 0);
  r.skip(32, type);
}

/** MuxedAccount: KEY_TYPE_ED25519 (0) { uint256 } or KEY_TYPE_MUXED_ED25519 (0x100) { uint64 id; uint256 ed25519 }. */
export function readMuxedAccount(r: XdrReader): string {
  const at = r.pos;
  const type = r.u32("MuxedAccount");
  if (type === 0) return accountStrkey(r.bytes, r.take(32, "MuxedAccount.ed25519"));
  if (type === 0x100) {
    const idAt = r.take(8, "MuxedAccount.med25519.id");
    return muxedStrkey(r.bytes, r.take(32, "MuxedAccount.med25519.ed25519"), idAt);
  }
  return r.fail(`unknown union arm ${type}`, "MuxedAccount", at);
}

export function skipMuxedAccount(r: XdrReader): void {
  const at = r.pos;
  const type = r.u32("MuxedAccount");
  if (type === 0) r.skip(32, "MuxedAccount.ed25519");
  else if (type === 0x100) r.skip(40, "MuxedAccount.med25519");
  else r.fail(`unknown union arm ${type}`, "MuxedAccount", at);
}

function assetCode(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return utf8.decode(bytes.subarray(0, end));
}

function readCreditAsset(r: XdrReader, codeLength: number, type: string): Asset {
  const code = assetCode(r.fixed(codeLength, `${type}.assetCode`));
  return { type: "credit", code, issuer: readAccountId(r, `${type}.issuer`) };
}

/** Asset: native, credit_alphanum4, credit_alphanum12. */
export function readAsset(r: XdrReader, type = "Asset"): Asset {
  switch (r.arm(type, 0, 2)) {
    case 0:
      return NATIVE;
    case 1:
      return readCreditAsset(r, 4, `${type}.alphaNum4`);
    default:
      return readCreditAsset(r, 12, `${type}.alphaNum12`);
  }
}

export function skipAsset(r: XdrReader, type = "Asset"): void {
  switch (r.arm(type, 0, 2)) {
    case 0:
      return;
    case 1:
      r.skip(4, `${type}.alphaNum4.assetCode`);
      return skipAccountId(r, `${type}.alphaNum4.issuer`);
    default:
      r.skip(12, `${type}.alphaNum12.assetCode`);
      return skipAccountId(r, `${type}.alphaNum12.issuer`);
  }
}

/** TrustLineAsset: an Asset, or ASSET_TYPE_POOL_SHARE (3) with a PoolID. */
export function readTrustLineAsset(r: XdrReader): { asset: Asset | null; poolId: string | null } {
  const at = r.pos;
  if (r.arm("TrustLineAsset", 0, 3) === 3) return { asset: null, poolId: liquidityPoolStrkey(r.bytes, r.take(32, "TrustLineAsset.liquidityPoolId")) };
  r.pos = at;
  return { asset: readAsset(r, "TrustLineAsset"), poolId: null };
}

export function skipTrustLineAsset(r: XdrReader): void {
  const at = r.pos;
  if (r.arm("TrustLineAsset", 0, 3) === 3) return r.skip(32, "TrustLineAsset.liquidityPoolId");
  r.pos = at;
  skipAsset(r, "TrustLineAsset");
}

/** ClaimableBalanceID: CLAIMABLE_BALANCE_ID_TYPE_V0 (0) then a Hash; as a B strkey. */
export function readClaimableBalanceId(r: XdrReader): string {
  const typeAt = r.pos;
  r.arm("ClaimableBalanceID", 0, 0);
  r.skip(32, "ClaimableBalanceID.v0");
  return claimableBalanceStrkey(r.bytes, typeAt);
}

export function skipClaimableBalanceId(r: XdrReader): void {
  r.arm("ClaimableBalanceID", 0, 0);
  r.skip(32, "ClaimableBalanceID.v0");
}
