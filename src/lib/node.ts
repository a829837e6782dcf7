// Node's native SHA-256 (node:crypto), its zstd where it has one (zlib.zstdDecompressSync, Node
// >= 22.15; fzstd before), and lakes in a local folder: the library's `stellar-flow/node` entry.
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import { FolderStore } from "../source/datalake/folder-store.ts";
import type { CoreAdapters, Decompress } from "./adapters.ts";
import { portableZstdDecompress } from "./portable-zstd.ts";

const nativeZstd = (zlib as { zstdDecompressSync?: (data: Uint8Array) => Uint8Array }).zstdDecompressSync;

/** The zstd this Node has: native from 22.15 on, else the portable one. */
export const nodeZstdDecompress: Decompress = nativeZstd
  ? (compressed) => {
      const out = nativeZstd(compressed);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
  : portableZstdDecompress;

export const nodeAdapters: CoreAdapters = {
  decompress: nodeZstdDecompress,
  sha256: (data) => {
    const digest = createHash("sha256").update(data).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  },
};

export { FolderStore };
