// What the backfill commands share: the lake (its network checked against --network), the dataset
// (checked against the lake's network before anything is written), and which errors are bad input.
import { DatasetMismatchError, ensureDataset, networkLabel } from "../backfill/dataset-descriptor.ts";
import type { DatasetStore } from "../backfill/dataset-store.ts";
import { openDatasetStore } from "../backfill/open-dataset-store.ts";
import { BackfillInputError } from "../backfill/shard-plan.ts";
import { openDataLake } from "../source/datalake/open-datalake.ts";
import type { LedgerSource } from "../source/ledger-source.ts";
import { resolvePassphrase } from "../stellar/network.ts";
import type { LakeArgs } from "./backfill-args.ts";

/** Input that names something that cannot be used: exit code 2. */
export class BackfillUsageError extends Error {
  override readonly name = "BackfillUsageError";
}

/** Whether `error` is bad input (exit 2) rather than something that failed (exit 1). */
export function isInputError(error: unknown): boolean {
  return error instanceof BackfillUsageError || error instanceof BackfillInputError || error instanceof DatasetMismatchError;
}

export async function openLake(args: LakeArgs, signal?: AbortSignal): Promise<LedgerSource> {
  const source = await openDataLake(args.datalake, { s3Endpoint: args.s3Endpoint ?? undefined, concurrency: args.concurrency, signal });
  if (args.network !== null && resolvePassphrase(args.network) !== source.networkPassphrase) {
    throw new BackfillUsageError(`--network ${args.network}: the lake ${args.datalake} holds ledgers of ${networkLabel(source.networkPassphrase)}`);
  }
  return source;
}

/** The dataset at `out`, checked to be empty or one of `network` in this schema version. */
export async function openDataset(out: string, network: string, s3Endpoint: string | null): Promise<DatasetStore> {
  const store = openDatasetStore(out, { endpoint: s3Endpoint ?? undefined });
  await ensureDataset(store, network);
  return store;
}
