// The ledger decoders the pipeline can run, by name: the purpose-built reader (production) and
// the SDK-backed reference.
import type { LedgerDecoder } from "../stellar/ledger-decoder.ts";
import { FastLedgerDecoder } from "../stellar/xdr/fast-ledger-decoder.ts";
import { nativeSha256 } from "./native-sha256.ts";

export type DecoderName = "fast" | "sdk";
export const DECODER_NAMES: readonly DecoderName[] = ["fast", "sdk"];

export interface LedgerDecoderOptions {
  /**
   * Check every ledger's transaction set and results against its header's txSetHash and
   * txSetResultHash (default true): envelopes and results cannot be altered undetected.
   */
  readonly checkHashes?: boolean;
}

export function ledgerDecoder(name: DecoderName, networkPassphrase: string, options: LedgerDecoderOptions = {}): LedgerDecoder {
  const checkHashes = options.checkHashes ?? true;
  const fast = () => new FastLedgerDecoder(networkPassphrase, { sha256: nativeSha256, checkHashes });
  if (name === "fast") return fast();
  // The SDK takes about a third of a second to load (in every worker thread too): only on demand.
  const sdk = require("../stellar/sdk/sdk-ledger-decoder.ts") as typeof import("../stellar/sdk/sdk-ledger-decoder.ts");
  const reference = new sdk.SdkLedgerDecoder(networkPassphrase);
  if (!checkHashes) return reference;
  // The SDK re-encodes rather than keeping byte ranges: the fast reader checks the hashes first.
  const checker = fast();
  return {
    decode: (lcmXdr) => {
      checker.decode(lcmXdr);
      return reference.decode(lcmXdr);
    },
  };
}
