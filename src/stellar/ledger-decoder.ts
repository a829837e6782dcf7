import type { LedgerModel } from "./model.ts";

/**
 * Turns the XDR of one LedgerCloseMeta into the ledger model. The TTP rules only ever see the
 * model, so decoders can be swapped (SDK-backed today, a purpose-built byte reader later).
 * Throws an Error describing what could not be decoded.
 */
export interface LedgerDecoder {
  decode(lcmXdr: Uint8Array): LedgerModel;
}
