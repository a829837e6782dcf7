import type { xdr } from "@stellar/stellar-sdk";
import type { ClaimAtom, OperationBody, OperationResultModel } from "../model.ts";
import { OPERATION_NAMES } from "../operation-names.ts";
import { encodeAccountId, encodeLiquidityPoolId } from "../strkey.ts";
import { assetOf, claimableBalanceIdStrkey, muxedAccountStrkey, publicKeyStrkey } from "./wire-values.ts";


export function operationBody(body: xdr.OperationBodyWire): OperationBody {
  switch (body.type) {
    case 0:
      return {
        type: "createAccount",
        destination: publicKeyStrkey(body.createAccountOp.destination),
        startingBalance: body.createAccountOp.startingBalance,
      };
    case 1:
      return {
        type: "payment",
        destination: muxedAccountStrkey(body.paymentOp.destination),
        asset: assetOf(body.paymentOp.asset),
        amount: body.paymentOp.amount,
      };
    case 2:
      return {
        type: "pathPaymentStrictReceive",
        destination: muxedAccountStrkey(body.pathPaymentStrictReceiveOp.destination),
        destAsset: assetOf(body.pathPaymentStrictReceiveOp.destAsset),
        destAmount: body.pathPaymentStrictReceiveOp.destAmount,
      };
    case 3:
      return { type: "manageSellOffer" };
    case 4:
      return { type: "createPassiveSellOffer" };
    case 7:
      return { type: "allowTrust" };
    case 8:
      return { type: "accountMerge", destination: muxedAccountStrkey(body.destination) };
    case 9:
      return { type: "inflation" };
    case 12:
      return { type: "manageBuyOffer" };
    case 13:
      return {
        type: "pathPaymentStrictSend",
        destination: muxedAccountStrkey(body.pathPaymentStrictSendOp.destination),
        destAsset: assetOf(body.pathPaymentStrictSendOp.destAsset),
      };
    case 14:
      return {
        type: "createClaimableBalance",
        asset: assetOf(body.createClaimableBalanceOp.asset),
        amount: body.createClaimableBalanceOp.amount,
      };
    case 15:
      return { type: "claimClaimableBalance", balanceId: claimableBalanceIdStrkey(body.claimClaimableBalanceOp.balanceId) };
    case 19:
      return {
        type: "clawback",
        from: muxedAccountStrkey(body.clawbackOp.from),
        asset: assetOf(body.clawbackOp.asset),
        amount: body.clawbackOp.amount,
      };
    case 20:
      return {
        type: "clawbackClaimableBalance",
        balanceId: claimableBalanceIdStrkey(body.clawbackClaimableBalanceOp.balanceId),
      };
    case 21:
      return { type: "setTrustLineFlags" };
    case 22:
      return { type: "liquidityPoolDeposit" };
    case 23:
      return { type: "liquidityPoolWithdraw" };
    case 24:
      return { type: "invokeHostFunction" };
    default:
      return { type: "other", name: OPERATION_NAMES[body.type] ?? `operation${body.type}` };
  }
}

function claimAtom(atom: xdr.ClaimAtomWire): ClaimAtom {
  switch (atom.type) {
    case 0:
      return {
        seller: encodeAccountId(atom.v0.sellerEd25519),
        assetSold: assetOf(atom.v0.assetSold),
        amountSold: atom.v0.amountSold,
        assetBought: assetOf(atom.v0.assetBought),
        amountBought: atom.v0.amountBought,
      };
    case 1:
      return {
        seller: publicKeyStrkey(atom.orderBook.sellerId),
        assetSold: assetOf(atom.orderBook.assetSold),
        amountSold: atom.orderBook.amountSold,
        assetBought: assetOf(atom.orderBook.assetBought),
        amountBought: atom.orderBook.amountBought,
      };
    case 2:
      return {
        seller: encodeLiquidityPoolId(atom.liquidityPool.liquidityPoolId),
        assetSold: assetOf(atom.liquidityPool.assetSold),
        amountSold: atom.liquidityPool.amountSold,
        assetBought: assetOf(atom.liquidityPool.assetBought),
        amountBought: atom.liquidityPool.amountBought,
      };
  }
}

const FAILED: OperationResultModel = {
  successful: false,
  offersClaimed: [],
  destAmount: null,
  sourceAccountBalance: null,
  balanceId: null,
  inflationPayouts: [],
};

export function operationResult(result: xdr.OperationResultWire | undefined): OperationResultModel {
  if (!result || result.code !== 0) return FAILED;
  const tr = result.tr;
  const out = { ...FAILED, successful: true };
  switch (tr.type) {
    case 2:
      if (tr.pathPaymentStrictReceiveResult.code !== 0) return FAILED;
      return { ...out, offersClaimed: tr.pathPaymentStrictReceiveResult.success.offers.map(claimAtom) };
    case 3:
      if (tr.manageSellOfferResult.code !== 0) return FAILED;
      return { ...out, offersClaimed: tr.manageSellOfferResult.success.offersClaimed.map(claimAtom) };
    case 4:
      if (tr.createPassiveSellOfferResult.code !== 0) return FAILED;
      return { ...out, offersClaimed: tr.createPassiveSellOfferResult.success.offersClaimed.map(claimAtom) };
    case 8:
      if (tr.accountMergeResult.code !== 0) return FAILED;
      return { ...out, sourceAccountBalance: tr.accountMergeResult.sourceAccountBalance };
    case 9:
      if (tr.inflationResult.code !== 0) return FAILED;
      return {
        ...out,
        inflationPayouts: tr.inflationResult.payouts.map((p) => ({ destination: publicKeyStrkey(p.destination), amount: p.amount })),
      };
    case 12:
      if (tr.manageBuyOfferResult.code !== 0) return FAILED;
      return { ...out, offersClaimed: tr.manageBuyOfferResult.success.offersClaimed.map(claimAtom) };
    case 13:
      if (tr.pathPaymentStrictSendResult.code !== 0) return FAILED;
      return {
        ...out,
        offersClaimed: tr.pathPaymentStrictSendResult.success.offers.map(claimAtom),
        destAmount: tr.pathPaymentStrictSendResult.success.last.amount,
      };
    case 14:
      if (tr.createClaimableBalanceResult.code !== 0) return FAILED;
      return { ...out, balanceId: claimableBalanceIdStrkey(tr.createClaimableBalanceResult.balanceId) };
    default:
      return out;
  }
}
