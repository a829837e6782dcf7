// Operation bodies (Stellar-transaction.x). Bodies that move value are read into the model;
// the others are skipped by structure (Soroban host functions and their auth trees included).
import type { OperationBody } from "../model.ts";
import { OPERATION_NAMES } from "../operation-names.ts";
import type { XdrReader } from "./xdr-reader.ts";
import {
  readAccountId,
  readAsset,
  readClaimableBalanceId,
  readMuxedAccount,
  skipAccountId,
  skipAsset,
} from "./read-values.ts";
import { skipContractExecutable, skipContractIdPreimage, skipScAddress, skipScVal } from "./read-contract-values.ts";
import { skipClaimants, skipLedgerKey, skipSignerKey } from "./read-entries.ts";


const BODIES_WITHOUT_FIELDS: Record<number, OperationBody> = {
  3: { type: "manageSellOffer" },
  4: { type: "createPassiveSellOffer" },
  7: { type: "allowTrust" },
  9: { type: "inflation" },
  12: { type: "manageBuyOffer" },
  21: { type: "setTrustLineFlags" },
  22: { type: "liquidityPoolDeposit" },
  23: { type: "liquidityPoolWithdraw" },
  24: { type: "invokeHostFunction" },
};
const OTHER_BODIES: OperationBody[] = OPERATION_NAMES.map((name, type) => BODIES_WITHOUT_FIELDS[type] ?? { type: "other", name });

export const OPERATION_TYPE_COUNT = OPERATION_NAMES.length;

function skipPath(r: XdrReader): void {
  const n = r.count("path", 4, 5);
  for (let i = 0; i < n; i++) skipAsset(r, "path");
}

/** InvokeContractArgs { SCAddress contractAddress; SCSymbol functionName; SCVal args<> }. */
function skipInvokeContractArgs(r: XdrReader): void {
  skipScAddress(r);
  r.skipOpaque("InvokeContractArgs.functionName", 32);
  const n = r.count("InvokeContractArgs.args", 4);
  for (let i = 0; i < n; i++) skipScVal(r);
}

/** CreateContractArgs(V2) { ContractIDPreimage; ContractExecutable; [V2: SCVal constructorArgs<>] }. */
function skipCreateContractArgs(r: XdrReader, v2: boolean): void {
  skipContractIdPreimage(r);
  skipContractExecutable(r);
  if (!v2) return;
  const n = r.count("CreateContractArgsV2.constructorArgs", 4);
  for (let i = 0; i < n; i++) skipScVal(r);
}

function skipAuthorizedInvocation(r: XdrReader, depth: number): void {
  if (depth > 64) r.fail("nested too deep", "SorobanAuthorizedInvocation");
  const fn = r.arm("SorobanAuthorizedFunction", 0, 2);
  if (fn === 0) skipInvokeContractArgs(r);
  else skipCreateContractArgs(r, fn === 2);
  const n = r.count("SorobanAuthorizedInvocation.subInvocations", 8);
  for (let i = 0; i < n; i++) skipAuthorizedInvocation(r, depth + 1);
}

/** SorobanAddressCredentials { SCAddress; int64 nonce; uint32 signatureExpirationLedger; SCVal signature }. */
function skipAddressCredentials(r: XdrReader): void {
  skipScAddress(r);
  r.skip(12, "SorobanAddressCredentials.nonce/signatureExpirationLedger");
  skipScVal(r);
}

function skipDelegateSignature(r: XdrReader, depth: number): void {
  if (depth > 64) r.fail("nested too deep", "SorobanDelegateSignature");
  skipScAddress(r);
  skipScVal(r);
  const n = r.count("SorobanDelegateSignature.nestedDelegates", 8);
  for (let i = 0; i < n; i++) skipDelegateSignature(r, depth + 1);
}

function skipInvokeHostFunction(r: XdrReader): void {
  switch (r.arm("HostFunction", 0, 3)) {
    case 0:
      skipInvokeContractArgs(r);
      break;
    case 1:
      skipCreateContractArgs(r, false);
      break;
    case 2:
      r.skipOpaque("HostFunction.wasm");
      break;
    default:
      skipCreateContractArgs(r, true);
  }
  const n = r.count("InvokeHostFunctionOp.auth", 8);
  for (let i = 0; i < n; i++) {
    const credentials = r.arm("SorobanCredentials", 0, 3);
    if (credentials === 1 || credentials === 2) skipAddressCredentials(r);
    if (credentials === 3) {
      skipAddressCredentials(r);
      const delegates = r.count("SorobanAddressCredentialsWithDelegates.delegates", 8);
      for (let j = 0; j < delegates; j++) skipDelegateSignature(r, 0);
    }
    skipAuthorizedInvocation(r, 0);
  }
}

function skipOptionalU32(r: XdrReader, type: string): void {
  if (r.present(type)) r.skip(4, type);
}

function skipSetOptions(r: XdrReader): void {
  if (r.present("SetOptionsOp.inflationDest")) skipAccountId(r, "SetOptionsOp.inflationDest");
  skipOptionalU32(r, "SetOptionsOp.clearFlags");
  skipOptionalU32(r, "SetOptionsOp.setFlags");
  skipOptionalU32(r, "SetOptionsOp.masterWeight");
  skipOptionalU32(r, "SetOptionsOp.lowThreshold");
  skipOptionalU32(r, "SetOptionsOp.medThreshold");
  skipOptionalU32(r, "SetOptionsOp.highThreshold");
  if (r.present("SetOptionsOp.homeDomain")) r.skipOpaque("SetOptionsOp.homeDomain", 32);
  if (r.present("SetOptionsOp.signer")) {
    skipSignerKey(r);
    r.skip(4, "Signer.weight");
  }
}

/** ChangeTrustAsset: an Asset, or ASSET_TYPE_POOL_SHARE with LiquidityPoolParameters. */
function skipChangeTrustAsset(r: XdrReader): void {
  const at = r.pos;
  if (r.arm("ChangeTrustAsset", 0, 3) !== 3) {
    r.pos = at;
    return skipAsset(r, "ChangeTrustAsset");
  }
  r.arm("LiquidityPoolParameters", 0, 0);
  skipAsset(r, "LiquidityPoolConstantProductParameters.assetA");
  skipAsset(r, "LiquidityPoolConstantProductParameters.assetB");
  r.skip(4, "LiquidityPoolConstantProductParameters.fee");
}

/** OperationBody: the union arm, then the operation's fields. */
export function readOperationBody(r: XdrReader): OperationBody {
  const type = r.arm("OperationType", 0, OPERATION_TYPE_COUNT - 1);
  switch (type) {
    case 0: {
      const destination = readAccountId(r, "CreateAccountOp.destination");
      return { type: "createAccount", destination, startingBalance: r.i64("CreateAccountOp.startingBalance") };
    }
    case 1: {
      const destination = readMuxedAccount(r);
      const asset = readAsset(r, "PaymentOp.asset");
      return { type: "payment", destination, asset, amount: r.i64("PaymentOp.amount") };
    }
    case 2: {
      skipAsset(r, "PathPaymentStrictReceiveOp.sendAsset");
      r.skip(8, "PathPaymentStrictReceiveOp.sendMax");
      const destination = readMuxedAccount(r);
      const destAsset = readAsset(r, "PathPaymentStrictReceiveOp.destAsset");
      const destAmount = r.i64("PathPaymentStrictReceiveOp.destAmount");
      skipPath(r);
      return { type: "pathPaymentStrictReceive", destination, destAsset, destAmount };
    }
    case 3:
    case 12:
      skipAsset(r, "ManageOfferOp.selling");
      skipAsset(r, "ManageOfferOp.buying");
      r.skip(8 + 8 + 8, "ManageOfferOp.amount/price/offerID");
      break;
    case 4:
      skipAsset(r, "CreatePassiveSellOfferOp.selling");
      skipAsset(r, "CreatePassiveSellOfferOp.buying");
      r.skip(8 + 8, "CreatePassiveSellOfferOp.amount/price");
      break;
    case 5:
      skipSetOptions(r);
      break;
    case 6:
      skipChangeTrustAsset(r);
      r.skip(8, "ChangeTrustOp.limit");
      break;
    case 7:
      skipAccountId(r, "AllowTrustOp.trustor");
      r.skip(r.arm("AssetCode", 1, 2) === 1 ? 4 : 12, "AssetCode");
      r.skip(4, "AllowTrustOp.authorize");
      break;
    case 8:
      return { type: "accountMerge", destination: readMuxedAccount(r) };
    case 9:
    case 17:
      break;
    case 10:
      r.skipOpaque("ManageDataOp.dataName", 64);
      if (r.present("ManageDataOp.dataValue")) r.skipOpaque("ManageDataOp.dataValue", 64);
      break;
    case 11:
      r.skip(8, "BumpSequenceOp.bumpTo");
      break;
    case 13: {
      skipAsset(r, "PathPaymentStrictSendOp.sendAsset");
      r.skip(8, "PathPaymentStrictSendOp.sendAmount");
      const destination = readMuxedAccount(r);
      const destAsset = readAsset(r, "PathPaymentStrictSendOp.destAsset");
      r.skip(8, "PathPaymentStrictSendOp.destMin");
      skipPath(r);
      return { type: "pathPaymentStrictSend", destination, destAsset };
    }
    case 14: {
      const asset = readAsset(r, "CreateClaimableBalanceOp.asset");
      const amount = r.i64("CreateClaimableBalanceOp.amount");
      skipClaimants(r);
      return { type: "createClaimableBalance", asset, amount };
    }
    case 15:
      return { type: "claimClaimableBalance", balanceId: readClaimableBalanceId(r) };
    case 16:
      skipAccountId(r, "BeginSponsoringFutureReservesOp.sponsoredID");
      break;
    case 18:
      if (r.arm("RevokeSponsorshipOp", 0, 1) === 0) skipLedgerKey(r);
      else {
        skipAccountId(r, "RevokeSponsorshipOp.signer.accountID");
        skipSignerKey(r);
      }
      break;
    case 19: {
      const asset = readAsset(r, "ClawbackOp.asset");
      const from = readMuxedAccount(r);
      return { type: "clawback", from, asset, amount: r.i64("ClawbackOp.amount") };
    }
    case 20:
      return { type: "clawbackClaimableBalance", balanceId: readClaimableBalanceId(r) };
    case 21:
      skipAccountId(r, "SetTrustLineFlagsOp.trustor");
      skipAsset(r, "SetTrustLineFlagsOp.asset");
      r.skip(8, "SetTrustLineFlagsOp.clearFlags/setFlags");
      break;
    case 22:
      r.skip(32 + 8 + 8 + 8 + 8, "LiquidityPoolDepositOp");
      break;
    case 23:
      r.skip(32 + 8 + 8 + 8, "LiquidityPoolWithdrawOp");
      break;
    case 24:
      skipInvokeHostFunction(r);
      break;
    case 25:
      r.ext0("ExtendFootprintTTLOp.ext");
      r.skip(4, "ExtendFootprintTTLOp.extendTo");
      break;
    case 26:
      r.ext0("RestoreFootprintOp.ext");
      break;
  }
  return OTHER_BODIES[type]!;
}
