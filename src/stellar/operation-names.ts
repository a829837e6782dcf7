/** Model names of Stellar operation types, indexed by their XDR OperationType number. */
export const OPERATION_NAMES: readonly string[] = [
  "createAccount", "payment", "pathPaymentStrictReceive", "manageSellOffer", "createPassiveSellOffer", "setOptions",
  "changeTrust", "allowTrust", "accountMerge", "inflation", "manageData", "bumpSequence", "manageBuyOffer",
  "pathPaymentStrictSend", "createClaimableBalance", "claimClaimableBalance", "beginSponsoringFutureReserves",
  "endSponsoringFutureReserves", "revokeSponsorship", "clawback", "clawbackClaimableBalance", "setTrustLineFlags",
  "liquidityPoolDeposit", "liquidityPoolWithdraw", "invokeHostFunction", "extendFootprintTtl", "restoreFootprint",
];
