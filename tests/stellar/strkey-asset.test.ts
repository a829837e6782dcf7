import { describe, expect, test } from "bun:test";
import { Asset, Keypair, StrKey } from "@stellar/stellar-sdk";
import { SacAddressBook, parseAssetString } from "../../src/stellar/asset.ts";
import { baseAccountOf, encodeAccountId, encodeMuxedAccount, muxedIdOf, encodeClaimableBalanceId, decodeStrkey } from "../../src/stellar/strkey.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";

describe("strkeys", () => {
  test("account ids match the SDK's encoding", () => {
    for (let i = 0; i < 20; i++) {
      const key = Keypair.random();
      expect(encodeAccountId(key.rawPublicKey())).toBe(key.publicKey());
    }
  });

  test("muxed accounts round-trip to their G address and id", () => {
    const key = Keypair.random();
    for (const id of [0n, 1n, 1020515624n, 2n ** 64n - 1n]) {
      const muxed = encodeMuxedAccount(key.rawPublicKey(), id);
      expect(StrKey.isValidMed25519PublicKey(muxed)).toBe(true);
      expect(baseAccountOf(muxed)).toBe(key.publicKey());
      expect(muxedIdOf(muxed)).toBe(id);
    }
  });

  test("claimable balance ids match the SDK's B strkeys", () => {
    const hash = new Uint8Array(32).map((_, i) => i * 7);
    const ours = encodeClaimableBalanceId(hash);
    expect(StrKey.isValidClaimableBalance(ours)).toBe(true);
    expect(decodeStrkey(ours).payload).toEqual(new Uint8Array([0, ...hash]));
  });

  test("a corrupted strkey is refused", () => {
    const good = Keypair.random().publicKey();
    const bad = good.slice(0, 10) + (good[10] === "A" ? "B" : "A") + good.slice(11);
    expect(() => decodeStrkey(bad)).toThrow(/checksum/);
  });
});

describe("assets", () => {
  test("SAC addresses match the SDK's Asset.contractId on every network", () => {
    const issuer = Keypair.random().publicKey();
    for (const passphrase of Object.values(NETWORK_PASSPHRASES)) {
      const book = SacAddressBook.forPassphrase(passphrase);
      expect(book.addressOf({ type: "native" })).toBe(Asset.native().contractId(passphrase));
      for (const code of ["X", "USDC", "ABCDE", "LONGASSETCOD"]) {
        expect(book.addressOf({ type: "credit", code, issuer })).toBe(new Asset(code, issuer).contractId(passphrase));
      }
    }
  });

  test("SEP-11 asset strings parse, anything else is refused", () => {
    const issuer = Keypair.random().publicKey();
    expect(parseAssetString("native")).toEqual({ type: "native" });
    expect(parseAssetString(`USDC:${issuer}`)).toEqual({ type: "credit", code: "USDC", issuer });
    for (const bad of ["", "USDC", `:${issuer}`, "USDC:GABC", `TOOLONGASSETCODE:${issuer}`, `US-D:${issuer}`]) {
      expect(parseAssetString(bad)).toBeNull();
    }
  });
});
