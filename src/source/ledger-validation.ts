// Checks one LedgerCloseMeta the way every source must before handing it on: it decodes, it is
// the ledger asked for, its header hashes to the hash it carries, and it chains to the ledger
// before it.
import type { RawLedger } from "../arrow/ledger-batch.ts";
import { sha256, toHex } from "../stellar/hash.ts";
import { readLedgerHeader } from "../stellar/xdr/ledger-header-reader.ts";
import { SourceError } from "./source-error.ts";
import { messageOf } from "../common/message-of.ts";


/**
 * The validated RawLedger of `xdr`, expected to be ledger `sequence`. `previousHash` is the hash
 * of ledger `sequence - 1` when known (null skips the chain check). Throws a SourceError naming
 * the ledger and `location`.
 */
export function validateLedger(xdr: Uint8Array, sequence: number, previousHash: string | null, location: string): RawLedger {
  let header: ReturnType<typeof readLedgerHeader>;
  try {
    header = readLedgerHeader(xdr);
  } catch (error) {
    throw new SourceError(`undecodable LedgerCloseMeta XDR: ${messageOf(error)}`, sequence, location, { cause: error });
  }
  if (header.sequence !== sequence) {
    throw new SourceError(`wrong sequence: expected ledger ${sequence}, the LedgerCloseMeta holds ledger ${header.sequence}`, sequence, location);
  }
  const computed = toHex(sha256(header.headerBytes));
  if (computed !== header.hash) {
    throw new SourceError(`corrupt ledger header: its hash says ${header.hash} but sha256 of the header is ${computed}`, sequence, location);
  }
  if (previousHash !== null && header.previousHash !== previousHash) {
    throw new SourceError(
      `broken hash chain: previous ledger hash ${header.previousHash} is not the hash of ledger ${sequence - 1} (${previousHash})`,
      sequence,
      location,
    );
  }
  return {
    sequence,
    hash: header.hash,
    previousHash: header.previousHash,
    closedAt: header.closeTime,
    protocolVersion: header.protocolVersion,
    xdr,
    location, // for downstream error messages (RawLedger.location)
  };
}
