// zstd decompression on Bun. Kept behind the `Decompress` signature so another runtime can
// supply its own (e.g. a WASM zstd) without touching the source.
import type { Decompress } from "./datalake-source.ts";

/** On Bun's thread pool, off the thread that reads the lake (the pipeline's main thread). */
export const bunZstdDecompress: Decompress = (compressed) => Bun.zstdDecompress(compressed);
