// Ledger entries and their changes (Stellar-ledger-entries.x, Stellar-ledger.x). The model keeps
// the value-bearing parts of accounts, trust lines, claimable balances and liquidity pools; every
// other entry type and field is skipped by structure.
import type { EntryChange, EntryData } from "../model.ts";
import type { XdrReader } from "./xdr-reader.ts";
import {
  readAccountId,
  readAsset,
  readClaimableBalanceId,
  readTrustLineAsset,
  skipAccountId,
  skipAsset,
  skipClaimableBalanceId,
  skipTrustLineAsset,
} from "./read-values.ts";
import { skipScAddress, skipScVal } from "./read-contract-values.ts";
import { liquidityPoolStrkey } from "./strkey-writer.ts";

const OTHER: EntryData = { type: "other" };

/** SignerKey: ED25519, PRE_AUTH_TX, HASH_X (uint256) or ED25519_SIGNED_PAYLOAD { uint256; opaque<64> }. */
export function skipSignerKey(r: XdrReader): void {
  const type = r.arm("SignerKey", 0, 3);
  r.skip(32, "SignerKey");
  if (type === 3) r.skipOpaque("SignerKey.ed25519SignedPayload.payload", 64);
}

/** ClaimPredicate: UNCONDITIONAL, AND<2>, OR<2>, NOT (optional), BEFORE_ABSOLUTE_TIME, BEFORE_RELATIVE_TIME. */
function skipClaimPredicate(r: XdrReader, depth: number): void {
  if (depth > 32) r.fail("nested too deep", "ClaimPredicate");
  switch (r.arm("ClaimPredicate", 0, 5)) {
    case 0:
      return;
    case 1:
    case 2: {
      const n = r.count("ClaimPredicate.predicates", 4, 2);
      for (let i = 0; i < n; i++) skipClaimPredicate(r, depth + 1);
      return;
    }
    case 3:
      if (r.present("ClaimPredicate.notPredicate")) skipClaimPredicate(r, depth + 1);
      return;
    default:
      return r.skip(8, "ClaimPredicate.time");
  }
}

export function skipClaimants(r: XdrReader): void {
  const n = r.count("Claimant", 40, 10);
  for (let i = 0; i < n; i++) {
    r.arm("Claimant", 0, 0);
    skipAccountId(r, "ClaimantV0.destination");
    skipClaimPredicate(r, 0);
  }
}

function readAccountEntry(r: XdrReader): EntryData {
  const accountId = readAccountId(r, "AccountEntry.accountID");
  const balance = r.i64("AccountEntry.balance");
  const sequenceNumber = r.i64("AccountEntry.seqNum");
  r.skip(4, "AccountEntry.numSubEntries");
  if (r.present("AccountEntry.inflationDest")) skipAccountId(r, "AccountEntry.inflationDest");
  r.skip(4, "AccountEntry.flags");
  r.skipOpaque("AccountEntry.homeDomain", 32);
  r.skip(4, "AccountEntry.thresholds");
  const signers = r.count("AccountEntry.signers", 40, 20);
  for (let i = 0; i < signers; i++) {
    skipSignerKey(r);
    r.skip(4, "Signer.weight");
  }
  if (r.arm("AccountEntry.ext", 0, 1) === 1) {
    r.skip(16, "AccountEntryExtensionV1.liabilities");
    const v1ext = r.arm("AccountEntryExtensionV1.ext", 0, 2);
    if (v1ext === 1) r.fail("unknown union arm 1", "AccountEntryExtensionV1.ext", r.pos - 4);
    if (v1ext === 2) {
      r.skip(8, "AccountEntryExtensionV2.numSponsored/numSponsoring");
      const ids = r.count("AccountEntryExtensionV2.signerSponsoringIDs", 4, 20);
      for (let i = 0; i < ids; i++) if (r.present("SponsorshipDescriptor")) skipAccountId(r, "SponsorshipDescriptor");
      const v2ext = r.arm("AccountEntryExtensionV2.ext", 0, 3);
      if (v2ext === 1 || v2ext === 2) r.fail(`unknown union arm ${v2ext}`, "AccountEntryExtensionV2.ext", r.pos - 4);
      if (v2ext === 3) {
        r.ext0("AccountEntryExtensionV3.ext");
        r.skip(12, "AccountEntryExtensionV3.seqLedger/seqTime");
      }
    }
  }
  return { type: "account", accountId, balance, sequenceNumber };
}

function readTrustLineEntry(r: XdrReader): EntryData {
  const accountId = readAccountId(r, "TrustLineEntry.accountID");
  const { asset, poolId } = readTrustLineAsset(r);
  const balance = r.i64("TrustLineEntry.balance");
  r.skip(12, "TrustLineEntry.limit/flags");
  if (r.arm("TrustLineEntry.ext", 0, 1) === 1) {
    r.skip(16, "TrustLineEntry.v1.liabilities");
    const v1ext = r.arm("TrustLineEntry.v1.ext", 0, 2);
    if (v1ext === 1) r.fail("unknown union arm 1", "TrustLineEntry.v1.ext", r.pos - 4);
    if (v1ext === 2) {
      r.skip(4, "TrustLineEntryExtensionV2.liquidityPoolUseCount");
      r.ext0("TrustLineEntryExtensionV2.ext");
    }
  }
  return { type: "trustline", accountId, asset, poolId, balance };
}

function readClaimableBalanceEntry(r: XdrReader): EntryData {
  const balanceId = readClaimableBalanceId(r);
  skipClaimants(r);
  const asset = readAsset(r, "ClaimableBalanceEntry.asset");
  const amount = r.i64("ClaimableBalanceEntry.amount");
  if (r.arm("ClaimableBalanceEntry.ext", 0, 1) === 1) {
    r.ext0("ClaimableBalanceEntryExtensionV1.ext");
    r.skip(4, "ClaimableBalanceEntryExtensionV1.flags");
  }
  return { type: "claimableBalance", balanceId, asset, amount };
}

function readLiquidityPoolEntry(r: XdrReader): EntryData {
  const poolId = liquidityPoolStrkey(r.bytes, r.take(32, "LiquidityPoolEntry.liquidityPoolID"));
  r.arm("LiquidityPoolEntry.body", 0, 0);
  const assetA = readAsset(r, "LiquidityPoolConstantProductParameters.assetA");
  const assetB = readAsset(r, "LiquidityPoolConstantProductParameters.assetB");
  r.skip(4, "LiquidityPoolConstantProductParameters.fee");
  const reserveA = r.i64("LiquidityPoolEntry.reserveA");
  const reserveB = r.i64("LiquidityPoolEntry.reserveB");
  r.skip(16, "LiquidityPoolEntry.totalPoolShares/poolSharesTrustLineCount");
  return { type: "liquidityPool", poolId, assetA, assetB, reserveA, reserveB };
}

/** OfferEntry, as in entries and in ManageOfferSuccessResult. */
export function skipOfferEntry(r: XdrReader): void {
  skipAccountId(r, "OfferEntry.sellerID");
  r.skip(8, "OfferEntry.offerID");
  skipAsset(r, "OfferEntry.selling");
  skipAsset(r, "OfferEntry.buying");
  r.skip(8 + 8 + 4, "OfferEntry.amount/price/flags");
  r.ext0("OfferEntry.ext");
}

function skipEntryBody(r: XdrReader, type: number): void {
  switch (type) {
    case 2:
      return skipOfferEntry(r);
    case 3:
      skipAccountId(r, "DataEntry.accountID");
      r.skipOpaque("DataEntry.dataName", 64);
      r.skipOpaque("DataEntry.dataValue", 64);
      return r.ext0("DataEntry.ext");
    case 6:
      r.ext0("ContractDataEntry.ext");
      skipScAddress(r);
      skipScVal(r);
      r.arm("ContractDataDurability", 0, 1);
      return skipScVal(r);
    case 7:
      if (r.arm("ContractCodeEntry.ext", 0, 1) === 1) {
        r.ext0("ContractCodeEntryV1.ext");
        r.ext0("ContractCodeCostInputs.ext");
        r.skip(40, "ContractCodeCostInputs");
      }
      r.skip(32, "ContractCodeEntry.hash");
      return r.skipOpaque("ContractCodeEntry.code");
    case 8:
      return r.fail("ConfigSettingEntry is not read by this decoder (it only changes through upgrades)", "LedgerEntryData", r.pos - 4);
    case 9:
      return r.skip(36, "TTLEntry");
  }
}

/** LedgerEntry { uint32 lastModifiedLedgerSeq; LedgerEntryData data; LedgerEntryExt ext }. */
export function readLedgerEntry(r: XdrReader): EntryData {
  r.skip(4, "LedgerEntry.lastModifiedLedgerSeq");
  const type = r.arm("LedgerEntryType", 0, 9);
  let data: EntryData;
  switch (type) {
    case 0:
      data = readAccountEntry(r);
      break;
    case 1:
      data = readTrustLineEntry(r);
      break;
    case 4:
      data = readClaimableBalanceEntry(r);
      break;
    case 5:
      data = readLiquidityPoolEntry(r);
      break;
    default:
      skipEntryBody(r, type);
      data = OTHER;
  }
  if (r.arm("LedgerEntry.ext", 0, 1) === 1) {
    if (r.present("LedgerEntryExtensionV1.sponsoringID")) skipAccountId(r, "LedgerEntryExtensionV1.sponsoringID");
    r.ext0("LedgerEntryExtensionV1.ext");
  }
  return data;
}

export function skipLedgerKey(r: XdrReader): void {
  switch (r.arm("LedgerKey", 0, 9)) {
    case 0:
      return skipAccountId(r, "LedgerKey.account.accountID");
    case 1:
      skipAccountId(r, "LedgerKey.trustLine.accountID");
      return skipTrustLineAsset(r);
    case 2:
      skipAccountId(r, "LedgerKey.offer.sellerID");
      return r.skip(8, "LedgerKey.offer.offerID");
    case 3:
      skipAccountId(r, "LedgerKey.data.accountID");
      return r.skipOpaque("LedgerKey.data.dataName", 64);
    case 4:
      return skipClaimableBalanceId(r);
    case 5:
    case 7:
    case 9:
      return r.skip(32, "LedgerKey hash");
    case 6:
      skipScAddress(r);
      skipScVal(r);
      r.arm("ContractDataDurability", 0, 1);
      return;
    default:
      r.arm("ConfigSettingID", 0, 20);
  }
}

/**
 * LedgerEntryChanges, with each STATE change paired with the UPDATED or REMOVED change that
 * follows it (as stellar-core emits them), so every model change carries before and after.
 */
export function readEntryChanges(r: XdrReader): EntryChange[] {
  const n = r.count("LedgerEntryChanges", 8);
  const out: EntryChange[] = [];
  let pendingState: EntryData | null = null;
  for (let i = 0; i < n; i++) {
    switch (r.arm("LedgerEntryChangeType", 0, 4)) {
      case 0:
        if (pendingState) out.push({ kind: "state", pre: pendingState, post: pendingState });
        pendingState = null;
        out.push({ kind: "created", pre: null, post: readLedgerEntry(r) });
        break;
      case 1:
        out.push({ kind: "updated", pre: pendingState, post: readLedgerEntry(r) });
        pendingState = null;
        break;
      case 2:
        skipLedgerKey(r);
        out.push({ kind: "removed", pre: pendingState, post: null });
        pendingState = null;
        break;
      case 3: {
        const state = readLedgerEntry(r);
        if (pendingState) out.push({ kind: "state", pre: pendingState, post: pendingState });
        pendingState = state;
        break;
      }
      default:
        if (pendingState) out.push({ kind: "state", pre: pendingState, post: pendingState });
        pendingState = null;
        out.push({ kind: "restored", pre: null, post: readLedgerEntry(r) });
    }
  }
  if (pendingState) out.push({ kind: "state", pre: pendingState, post: pendingState });
  return out;
}
