// Altering one bit of a real LedgerCloseMeta where it matters: an amount in a transaction envelope,
// or the fee charged in a transaction result. The XDR still decodes; only the header hashes can tell.
import { sha256 } from "../../src/stellar/hash.ts";
import { readLedgerHeader } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { readGeneralizedTransactionSet, readTransactionSet, type Envelope } from "../../src/stellar/xdr/read-envelopes.ts";
import { FastLedgerDecoder } from "../../src/stellar/xdr/fast-ledger-decoder.ts";
import { XdrReader } from "../../src/stellar/xdr/xdr-reader.ts";

export interface LedgerLayout {
  /** Where the transaction set starts and ends in the LedgerCloseMeta. */
  readonly setStart: number;
  readonly setEnd: number;
  readonly envelopes: readonly Envelope[];
  /** Each envelope's XDR (views into the LedgerCloseMeta), as `envelopes`. */
  readonly envelopeBytes: readonly Uint8Array[];
  /** Where the first TransactionResultPair starts (after txProcessing's count and, in v2, its ext). */
  readonly firstResultAt: number;
}

export function ledgerLayout(lcm: Uint8Array, networkPassphrase: string): LedgerLayout {
  const header = readLedgerHeader(lcm);
  const r = new XdrReader(lcm);
  r.pos = header.headerBytes.byteOffset - lcm.byteOffset + header.headerBytes.byteLength + 4;
  const setStart = r.pos;
  const hashing = { networkId: sha256(new TextEncoder().encode(networkPassphrase)), sha256 };
  const ranges: number[] = [];
  const envelopes = header.metaVersion === 0 ? readTransactionSet(r, hashing, ranges) : readGeneralizedTransactionSet(r, hashing, ranges);
  const envelopeBytes = envelopes.map((_, i) => lcm.subarray(ranges[2 * i]!, ranges[2 * i + 1]!));
  return { setStart, setEnd: r.pos, envelopes, envelopeBytes, firstResultAt: r.pos + 4 + (header.metaVersion === 2 ? 4 : 0) };
}

function int64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, value);
  return out;
}

/** Where `needle` occurs in haystack[from, to). */
function occurrences(haystack: Uint8Array, needle: Uint8Array, from: number, to: number): number[] {
  const found: number[] = [];
  outer: for (let i = from; i + needle.length <= to; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    found.push(i);
  }
  return found;
}

/**
 * A copy of `lcm` with the lowest bit of the first payment's amount flipped, and that amount. The
 * amount's 8 bytes may also occur elsewhere in the envelope: the flip kept is the one after which
 * the decoded payment says amount ^ 1.
 */
export function withPaymentAmountFlipped(lcm: Uint8Array, networkPassphrase: string): { lcm: Uint8Array; amount: bigint } {
  const layout = ledgerLayout(lcm, networkPassphrase);
  const decoder = new FastLedgerDecoder(networkPassphrase);
  for (const [i, envelope] of layout.envelopes.entries()) {
    const bytes = layout.envelopeBytes[i]!;
    const start = bytes.byteOffset - lcm.byteOffset;
    const index = envelope.operations.findIndex((op) => op.body.type === "payment");
    const payment = envelope.operations[index]?.body;
    if (payment?.type !== "payment") continue;
    for (const at of occurrences(lcm, int64Bytes(payment.amount), start, start + bytes.length)) {
      const out = new Uint8Array(lcm); // a copy (slice() of a Buffer is a view)
      out[at + 7]! ^= 1;
      let flipped: unknown = null;
      try {
        const altered = ledgerLayout(out, networkPassphrase).envelopes[i]!.operations[index]!.body;
        decoder.decode(out);
        flipped = altered.type === "payment" ? altered.amount : null;
      } catch {
        continue;
      }
      if (flipped === (payment.amount ^ 1n)) return { lcm: out, amount: payment.amount };
    }
  }
  throw new Error("no payment in this ledger's transaction set");
}

/** A copy of `lcm` with the lowest bit of the first transaction result's feeCharged flipped. */
export function withFeeChargedFlipped(lcm: Uint8Array, networkPassphrase: string): Uint8Array {
  const { firstResultAt } = ledgerLayout(lcm, networkPassphrase);
  const out = new Uint8Array(lcm); // a copy (slice() of a Buffer is a view)
  out[firstResultAt + 32 + 7]! ^= 1; // after TransactionResultPair.transactionHash, the low byte of feeCharged
  return out;
}
