// The fastest synchronous SHA-256 this runtime has: Bun's native digest (about 10x the portable
// one), else the portable implementation. Runtime-bound, so it lives here and not in the pure core.
import { sha256 as portableSha256 } from "../stellar/hash.ts";

type BunSha256 = { SHA256: { hash(data: Uint8Array): Uint8Array } };
const bun = (globalThis as { Bun?: BunSha256 }).Bun;

export const nativeSha256: (data: Uint8Array) => Uint8Array = bun ? (data) => bun.SHA256.hash(data) : portableSha256;
