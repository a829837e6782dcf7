// zstd decompression on Bun. Kept behind the `Decompress` signature so another runtime can
// supply its own (e.g. a WASM zstd) without touching the source.
import type { Decompress } from "./datalake-source.ts";

export const bunZstdDecompress: Decompress = (compressed) => Bun.zstdDecompressSync(compressed);
