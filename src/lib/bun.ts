// Bun's native zstd (on its thread pool) and SHA-256, and lakes in a local folder: the library's
// `stellar-flow/bun` entry. Runtime-bound, so apart from the portable core.
import { FolderStore } from "../source/datalake/folder-store.ts";
import type { CoreAdapters } from "./adapters.ts";

export const bunAdapters: CoreAdapters = {
  decompress: (compressed) => Bun.zstdDecompress(compressed),
  sha256: (data) => Bun.SHA256.hash(data) as Uint8Array,
};

export { FolderStore };
