// The ledger decoders the pipeline can run, by name: the purpose-built reader (production) and
// the SDK-backed reference.
import type { LedgerDecoder } from "../stellar/ledger-decoder.ts";
import { FastLedgerDecoder } from "../stellar/xdr/fast-ledger-decoder.ts";
import { nativeSha256 } from "./native-sha256.ts";

export type DecoderName = "fast" | "sdk";
export const DECODER_NAMES: readonly DecoderName[] = ["fast", "sdk"];

export function ledgerDecoder(name: DecoderName, networkPassphrase: string): LedgerDecoder {
  if (name === "fast") return new FastLedgerDecoder(networkPassphrase, { sha256: nativeSha256 });
  // The SDK takes about a third of a second to load (in every worker thread too): only on demand.
  const sdk = require("../stellar/sdk/sdk-ledger-decoder.ts") as typeof import("../stellar/sdk/sdk-ledger-decoder.ts");
  return new sdk.SdkLedgerDecoder(networkPassphrase);
}
