// The three runtime-bound parts the core needs, passed in (one seam each): zstd, SHA-256 and
// where lake objects come from. Each has a portable default that runs on any runtime with web
// APIs (Bun, Node >= 20, browsers, workerd); runtime adapters (./bun.ts, ./node.ts) swap in faster ones.
import type { Decompress } from "../source/datalake/decompress.ts";
import type { ObjectStore } from "../source/datalake/object-store.ts";
import type { Sha256 } from "../stellar/xdr/ledger-commitments.ts";
import { sha256 as portableSha256 } from "../stellar/hash.ts";
import { portableZstdDecompress } from "./portable-zstd.ts";

export type { Decompress, ObjectStore, Sha256 };

export interface CoreAdapters {
  /** Decompresses one whole zstd object (one or more frames). Only ever called once its headers passed the size cap. */
  readonly decompress: Decompress;
  /** Synchronous SHA-256 (transaction hashes, header and transaction-set checks). */
  readonly sha256: Sha256;
}

/** Pure JavaScript, everywhere: fzstd and @noble/hashes. */
export const portableAdapters: CoreAdapters = { decompress: portableZstdDecompress, sha256: portableSha256 };
