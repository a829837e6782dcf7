// How a data-lake object is decompressed, and how much it may decompress to: shared by the
// DataLakeSource and the portable library (src/lib), without the source's runtime wiring. Pure.

/**
 * Decompresses one whole object (zstd); throws (or rejects) on truncated or invalid input. An
 * asynchronous one runs off the calling thread: objects fetched ahead are then decompressed ahead too.
 */
export type Decompress = (compressed: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * Decompressed bytes allowed per ledger of an object. The largest real LedgerCloseMetas are about
 * 2 MB (a full 2025-26 mainnet ledger; the protocol-23 load test's 100 Soroban transactions come to
 * 1.8 MB), bounded by the network's per-ledger limits on transaction set size, Soroban reads,
 * writes and events; 64 MiB is 30x that. An object holds ledgersPerBatch ledgers, so its cap is
 * that many times this (64 MiB for SDF's lakes of one ledger per object): a zstd bomb of a few KB
 * that claims gigabytes is refused before anything is allocated, and `concurrency` objects in
 * flight hold at most `concurrency` x the cap.
 */
export const DEFAULT_MAX_LEDGER_BYTES = 64 * 1024 * 1024;
