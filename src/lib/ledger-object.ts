// One lake object (zstd of a LedgerCloseMetaBatch) into the raw, validated LedgerCloseMetas it
// holds: its zstd headers checked against a size cap before anything is decompressed, then
// decompressed, split and each ledger's header checked (sequence, header hash). Pure.
import { DEFAULT_MAX_LEDGER_BYTES, type Decompress } from "../source/datalake/decompress.ts";
import { zstdSize } from "../source/datalake/zstd-frames.ts";
import { validateLedger } from "../source/ledger-validation.ts";
import { SourceError } from "../source/source-error.ts";
import type { RawLedger } from "../arrow/ledger-batch.ts";
import { splitLedgerCloseMetaBatch, type LedgerCloseMetaMeasure } from "../stellar/xdr/ledger-header-reader.ts";
import { LakeError } from "./lake-error.ts";
import { messageOf } from "../common/message-of.ts";

export { DEFAULT_MAX_LEDGER_BYTES };

export interface LedgerObjectOptions {
  readonly decompress: Decompress;
  /** Most bytes the object may decompress to (default DEFAULT_MAX_LEDGER_BYTES, 64 MiB, per ledger it is expected to hold). */
  readonly maxBytes?: number;
  /** Splits objects of several ledgers; without it such an object is refused as unsupported. */
  readonly measure?: LedgerCloseMetaMeasure;
  /** The ledger asked for, named in errors about the object as a whole. */
  readonly ledger?: number;
}

/**
 * The ledgers of one object, in order, each validated (it decodes, its header hashes to the hash it
 * carries, the batch's sequences hold). `location` names the object in errors (a URL, a file name).
 */
export async function readLedgerObject(compressed: Uint8Array, location: string, options: LedgerObjectOptions): Promise<RawLedger[]> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_LEDGER_BYTES;
  const ledger = options.ledger ?? null;
  let size: ReturnType<typeof zstdSize>;
  try {
    size = zstdSize(compressed);
  } catch (error) {
    throw new LakeError("corrupt", `not a zstd object: ${messageOf(error)}`, ledger, location, { cause: error });
  }
  const needs = Math.max(size.maxContentBytes, size.declaredContentBytes ?? 0, size.maxWindowBytes);
  if (needs > maxBytes) {
    throw new LakeError("corrupt", `object too large: its zstd headers allow ${needs} bytes, above the cap of ${maxBytes}; not decompressed`, ledger, location);
  }
  let xdr: Uint8Array;
  try {
    xdr = await options.decompress(compressed);
  } catch (error) {
    throw new LakeError("corrupt", `cannot decompress the object (zstd): ${messageOf(error)}`, ledger, location, { cause: error });
  }
  let split: ReturnType<typeof splitLedgerCloseMetaBatch>;
  try {
    split = splitLedgerCloseMetaBatch(xdr, options.measure);
  } catch (error) {
    const unsupported = options.measure === undefined && /needs a LedgerCloseMeta measure/.test(messageOf(error));
    const message = unsupported
      ? `the object holds several ledgers; splitting it needs a LedgerCloseMeta measure (pass \`measure\`), which this reader was not given`
      : `undecodable LedgerCloseMetaBatch XDR: ${messageOf(error)}`;
    throw new LakeError(unsupported ? "unsupported" : "corrupt", message, ledger, location, { cause: error });
  }
  const { startSequence, endSequence, ledgerCloseMetas } = split;
  if (endSequence < startSequence || ledgerCloseMetas.length !== endSequence - startSequence + 1) {
    throw new LakeError(
      "corrupt",
      `undecodable LedgerCloseMetaBatch XDR: it claims ledgers ${startSequence}-${endSequence} but holds ${ledgerCloseMetas.length} LedgerCloseMeta`,
      ledger,
      location,
    );
  }
  const ledgers: RawLedger[] = [];
  let previousHash: string | null = null;
  for (let i = 0; i < ledgerCloseMetas.length; i++) {
    try {
      const validated = validateLedger(ledgerCloseMetas[i]!, startSequence + i, previousHash, location);
      ledgers.push(validated);
      previousHash = validated.hash;
    } catch (error) {
      throw error instanceof SourceError ? LakeError.of("corrupt", error) : error;
    }
  }
  return ledgers;
}
