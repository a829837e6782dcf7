import type { Asset } from "./model.ts";
import { sha256 } from "./hash.ts";
import { decodeStrkey, encodeContractId } from "./strkey.ts";

export const NATIVE: Asset = { type: "native" };

/** SEP-11 form: "native" or "CODE:ISSUER". */
export function assetString(asset: Asset): string {
  return asset.type === "native" ? "native" : `${asset.code}:${asset.issuer}`;
}

export function sameAsset(a: Asset, b: Asset): boolean {
  if (a.type === "native" || b.type === "native") return a.type === b.type;
  return a.code === b.code && a.issuer === b.issuer;
}

/** Parses a SEP-11 asset string ("native" or "CODE:ISSUER"), or returns null when it is not one. */
export function parseAssetString(text: string): Asset | null {
  if (text === "native") return NATIVE;
  const colon = text.indexOf(":");
  if (colon < 1 || colon > 12) return null;
  const code = text.slice(0, colon);
  const issuer = text.slice(colon + 1);
  if (!/^[A-Za-z0-9]{1,12}$/.test(code) || issuer.length !== 56 || !issuer.startsWith("G")) return null;
  try {
    decodeStrkey(issuer);
  } catch {
    return null;
  }
  return { type: "credit", code, issuer };
}

const ENVELOPE_TYPE_CONTRACT_ID = 8;
const CONTRACT_ID_PREIMAGE_FROM_ASSET = 1;

/** XDR of the Asset union. */
export function assetXdr(asset: Asset): Uint8Array {
  if (asset.type === "native") return new Uint8Array(4);
  const codeLength = asset.code.length <= 4 ? 4 : 12;
  const out = new Uint8Array(4 + codeLength + 4 + 32);
  const view = new DataView(out.buffer);
  view.setUint32(0, codeLength === 4 ? 1 : 2);
  out.set(new TextEncoder().encode(asset.code), 4);
  view.setUint32(4 + codeLength, 0); // PUBLIC_KEY_TYPE_ED25519
  out.set(decodeStrkey(asset.issuer).payload, 8 + codeLength);
  return out;
}

/** Computes the Stellar Asset Contract address of assets for one network, with a cache. */
export class SacAddressBook {
  private readonly cache = new Map<string, string>();
  constructor(private readonly networkId: Uint8Array) {}

  static forPassphrase(passphrase: string): SacAddressBook {
    return new SacAddressBook(sha256(new TextEncoder().encode(passphrase)));
  }

  addressOf(asset: Asset): string {
    const key = assetString(asset);
    let address = this.cache.get(key);
    if (address === undefined) {
      const assetBytes = assetXdr(asset);
      const preimage = new Uint8Array(32 + 4 + 4 + assetBytes.length);
      const view = new DataView(preimage.buffer);
      // HashIdPreimage: envelope type, then networkID, then the ContractIDPreimage.
      view.setUint32(0, ENVELOPE_TYPE_CONTRACT_ID);
      preimage.set(this.networkId, 4);
      view.setUint32(36, CONTRACT_ID_PREIMAGE_FROM_ASSET);
      preimage.set(assetBytes, 40);
      address = encodeContractId(sha256(preimage));
      this.cache.set(key, address);
    }
    return address;
  }
}
