// The portable zstd: fzstd, pure JavaScript (about 8 KB minified). Chosen over WebAssembly builds
// because workerd refuses to compile WebAssembly from bytes at run time (a Worker must ship .wasm
// as a module of its own), and over nothing at all because Node 20 and browsers have no zstd.
// scripts/zstd-bench.ts measures it against a WebAssembly build and Bun's native one.
import { decompress } from "fzstd";
import type { Decompress } from "../source/datalake/decompress.ts";

export const portableZstdDecompress: Decompress = (compressed) => decompress(compressed);
