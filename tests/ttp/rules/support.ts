// Runs hand-built ledgers through the real decoder and TTP rules.
import { SacAddressBook } from "../../../src/stellar/asset.ts";
import type { LedgerModel } from "../../../src/stellar/model.ts";
import { SdkLedgerDecoder } from "../../../src/stellar/sdk/sdk-ledger-decoder.ts";
import type { TtpEvent } from "../../../src/ttp/event.ts";
import { ledgerEvents, type TtpMode } from "../../../src/ttp/ledger-events.ts";
import { describeMismatch, verifyLedgerEvents } from "../../../src/ttp/verify.ts";

export const PUBNET = "Public Global Stellar Network ; September 2015";
export const sac = SacAddressBook.forPassphrase(PUBNET);
const decoder = new SdkLedgerDecoder(PUBNET);

// Fixed keys (valid strkeys) so that failures are readable.
export const ALICE = "GAO3YAJGBZYFUAWJHKPOKHZQTPWSK5BA3WDVYIQOHHHVKNR2CNPNB36Z";
export const BOB = "GARAR5QR7WRL24MQMSO4INWV7C5SE4EE2YVXTLD6ORONYFHSUAGZYSLN";
export const BOB_MUXED = "MARAR5QR7WRL24MQMSO4INWV7C5SE4EE2YVXTLD6ORONYFHSUAGZYAAAAAAAAAAAAA566";
export const ISSUER = "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN";
export const USDC = `USDC:${ISSUER}`;
export const USDC_ASSET = { type: "credit", code: "USDC", issuer: ISSUER } as const;
export const XLM_SAC = sac.addressOf({ type: "native" });
export const USDC_SAC = sac.addressOf(USDC_ASSET);

export function decode(bytes: Uint8Array): LedgerModel {
  return decoder.decode(bytes);
}

export function eventsOf(bytes: Uint8Array, mode: TtpMode = "classic"): TtpEvent[] {
  return ledgerEvents(decode(bytes), sac, mode);
}

/** [type, from, to, asset, amount, operationIndex] of each event, for compact assertions. */
export const brief = (events: TtpEvent[]) => events.map((e) => [e.eventType, e.from, e.to, e.asset, e.amount, e.operationIndex]);

export function mismatchOf(bytes: Uint8Array, mode: TtpMode = "classic"): string | null {
  const ledger = decode(bytes);
  const mismatch = verifyLedgerEvents(ledger, ledgerEvents(ledger, sac, mode));
  return mismatch ? describeMismatch(mismatch) : null;
}
