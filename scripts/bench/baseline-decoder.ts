// The baseline: the SDK's class API (`xdr.LedgerCloseMeta.fromXDR`), then its plain "wire" form
// into the same ledger model, so that the same TTP rules run on top.
import { xdr } from "@stellar/stellar-sdk";
import type { LedgerDecoder } from "../../src/stellar/ledger-decoder.ts";
import type { LedgerModel } from "../../src/stellar/model.ts";
import { SdkLedgerDecoder } from "../../src/stellar/sdk/sdk-ledger-decoder.ts";

export class SdkClassLedgerDecoder implements LedgerDecoder {
  readonly #model: SdkLedgerDecoder;

  constructor(networkPassphrase: string) {
    this.#model = new SdkLedgerDecoder(networkPassphrase);
  }

  decode(lcmXdr: Uint8Array): LedgerModel {
    return this.#model.fromWire(xdr.LedgerCloseMeta.fromXDR(lcmXdr).toXdrObject() as xdr.LedgerCloseMetaWire);
  }
}
