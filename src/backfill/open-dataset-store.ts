// From `--out` to a DatasetStore: s3://bucket/prefix, or a folder.
import { resolve } from "node:path";
import type { S3StoreOptions } from "../source/datalake/s3-store.ts";
import type { DatasetStore } from "./dataset-store.ts";
import { FolderDatasetStore } from "./folder-dataset-store.ts";
import { S3DatasetStore } from "./s3-dataset-store.ts";
import { BackfillInputError } from "./shard-plan.ts";

export function openDatasetStore(location: string, options: S3StoreOptions = {}): DatasetStore {
  if (location === "") throw new BackfillInputError("--out is empty: give a folder or s3://bucket/prefix");
  if (/^s3:\/\//i.test(location)) return new S3DatasetStore(location, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new BackfillInputError(`--out ${location}: a dataset is a folder or s3://bucket/prefix`);
  // absolute: the location is handed to workers (NATS tasks, child processes) that may run elsewhere
  return new FolderDatasetStore(resolve(location));
}
