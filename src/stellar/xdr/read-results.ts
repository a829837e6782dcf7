// Transaction and operation results (Stellar-transaction.x). The model keeps success flags, the
// offers and pools crossed, and the few result fields TTP reads; the rest is skipped by structure.
import type { ClaimAtom, OperationResultModel } from "../model.ts";
import { hexOf } from "./hex-writer.ts";
import type { XdrReader } from "./xdr-reader.ts";
import { readAccountId, readAsset, readClaimableBalanceId, skipAccountId, skipAsset } from "./read-values.ts";
import { skipOfferEntry } from "./read-entries.ts";
import { accountStrkey, liquidityPoolStrkey } from "./strkey-writer.ts";
import { OPERATION_TYPE_COUNT } from "./read-operations.ts";

export const FAILED_OPERATION: OperationResultModel = {
  successful: false,
  offersClaimed: [],
  destAmount: null,
  sourceAccountBalance: null,
  balanceId: null,
  inflationPayouts: [],
};
const SUCCESSFUL_OPERATION: OperationResultModel = { ...FAILED_OPERATION, successful: true };

/** Lowest result code of each operation type's result union (every code down to it is an arm). */
const LOWEST_RESULT_CODE = [-4, -9, -12, -12, -12, -10, -8, -6, -7, -1, -4, -1, -12, -12, -5, -6, -3, -1, -5, -4, -3, -5, -8, -6, -5, -3, -3];
if (LOWEST_RESULT_CODE.length !== OPERATION_TYPE_COUNT) throw new Error("result code table out of step with operation types");

function readClaimAtom(r: XdrReader): ClaimAtom {
  let seller: string;
  switch (r.arm("ClaimAtom", 0, 2)) {
    case 0:
      seller = accountStrkey(r.bytes, r.take(32, "ClaimOfferAtomV0.sellerEd25519"));
      r.skip(8, "ClaimOfferAtomV0.offerID");
      break;
    case 1:
      seller = readAccountId(r, "ClaimOfferAtom.sellerID");
      r.skip(8, "ClaimOfferAtom.offerID");
      break;
    default:
      seller = liquidityPoolStrkey(r.bytes, r.take(32, "ClaimLiquidityAtom.liquidityPoolID"));
  }
  const assetSold = readAsset(r, "ClaimAtom.assetSold");
  const amountSold = r.i64("ClaimAtom.amountSold");
  const assetBought = readAsset(r, "ClaimAtom.assetBought");
  const amountBought = r.i64("ClaimAtom.amountBought");
  return { seller, assetSold, amountSold, assetBought, amountBought };
}

function readClaimAtoms(r: XdrReader): ClaimAtom[] {
  const n = r.count("ClaimAtom", 4 + 32 + 4 + 8 + 4 + 8);
  const out: ClaimAtom[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readClaimAtom(r);
  return out;
}

/** ManageOfferSuccessResult { ClaimAtom offersClaimed<>; union (ManageOfferEffect) { CREATED, UPDATED: OfferEntry; DELETED } offer }. */
function readManageOfferSuccess(r: XdrReader): OperationResultModel {
  const offersClaimed = readClaimAtoms(r);
  if (r.arm("ManageOfferEffect", 0, 2) !== 2) skipOfferEntry(r);
  return { ...SUCCESSFUL_OPERATION, offersClaimed };
}

/** PathPayment*ResultSuccess { ClaimAtom offers<>; SimplePaymentResult last { AccountID; Asset; int64 amount } }. */
function readPathPaymentSuccess(r: XdrReader, keepAmount: boolean): OperationResultModel {
  const offersClaimed = readClaimAtoms(r);
  skipAccountId(r, "SimplePaymentResult.destination");
  skipAsset(r, "SimplePaymentResult.asset");
  const amount = r.i64("SimplePaymentResult.amount");
  return { ...SUCCESSFUL_OPERATION, offersClaimed, destAmount: keepAmount ? amount : null };
}

/** The type-specific result (OperationResult.tr); matches the SDK decoder's reading of it. */
function readOperationResultTr(r: XdrReader): OperationResultModel {
  const opType = r.arm("OperationResult.tr", 0, OPERATION_TYPE_COUNT - 1);
  const code = r.arm("OperationResult.tr code", LOWEST_RESULT_CODE[opType]!, 0);
  if (code !== 0) {
    // Path payments' NO_ISSUER arm carries the asset without an issuer.
    if ((opType === 2 || opType === 13) && code === -9) skipAsset(r, "PathPaymentResult.noIssuer");
    // Only result types with a success payload report failure through their own code, as in the model.
    return [2, 3, 4, 8, 9, 12, 13, 14].includes(opType) ? FAILED_OPERATION : SUCCESSFUL_OPERATION;
  }
  switch (opType) {
    case 2:
      return readPathPaymentSuccess(r, false);
    case 13:
      return readPathPaymentSuccess(r, true);
    case 3:
    case 4:
    case 12:
      return readManageOfferSuccess(r);
    case 8:
      return { ...SUCCESSFUL_OPERATION, sourceAccountBalance: r.i64("AccountMergeResult.sourceAccountBalance") };
    case 9: {
      const n = r.count("InflationResult.payouts", 44);
      const inflationPayouts: { destination: string; amount: bigint }[] = [];
      for (let i = 0; i < n; i++) {
        const destination = readAccountId(r, "InflationPayout.destination");
        inflationPayouts.push({ destination, amount: r.i64("InflationPayout.amount") });
      }
      return { ...SUCCESSFUL_OPERATION, inflationPayouts };
    }
    case 14:
      return { ...SUCCESSFUL_OPERATION, balanceId: readClaimableBalanceId(r) };
    case 24:
      r.skip(32, "InvokeHostFunctionResult.success");
      return SUCCESSFUL_OPERATION;
    default:
      return SUCCESSFUL_OPERATION;
  }
}

function readOperationResults(r: XdrReader): OperationResultModel[] {
  const n = r.count("OperationResult", 4);
  const out: OperationResultModel[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = r.arm("OperationResultCode", -6, 0) === 0 ? readOperationResultTr(r) : FAILED_OPERATION;
  }
  return out;
}

export interface TransactionResultModel {
  readonly hash: string;
  readonly feeCharged: bigint;
  readonly successful: boolean;
  readonly operations: readonly OperationResultModel[];
}

const NO_RESULTS: OperationResultModel[] = [];

/** TransactionResultPair { Hash transactionHash; TransactionResult { int64 feeCharged; union result; ext } }. */
export function readTransactionResultPair(r: XdrReader): TransactionResultModel {
  const hash = hexOf(r.bytes, r.take(32, "TransactionResultPair.transactionHash"), 32);
  const feeCharged = r.i64("TransactionResult.feeCharged");
  const code = r.arm("TransactionResultCode", -18, 1);
  let successful = false;
  let operations = NO_RESULTS;
  if (code === 1 || code === -13) {
    // Fee bump: InnerTransactionResultPair { Hash; InnerTransactionResult { int64 feeCharged; union result; ext } }.
    r.skip(32 + 8, "InnerTransactionResultPair.transactionHash/feeCharged");
    const innerAt = r.pos;
    const inner = r.arm("InnerTransactionResultCode", -18, 0);
    if (inner === -13) r.fail("unknown union arm -13", "InnerTransactionResult.result", innerAt);
    if (inner === 0 || inner === -1) operations = readOperationResults(r);
    r.ext0("InnerTransactionResult.ext");
    successful = code === 1;
  } else if (code === 0 || code === -1) {
    operations = readOperationResults(r);
    successful = code === 0;
  }
  r.ext0("TransactionResult.ext");
  return { hash, feeCharged, successful, operations };
}
