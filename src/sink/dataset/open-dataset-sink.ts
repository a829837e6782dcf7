// openSink's dataset implementation: a DatasetSink over a folder or s3://bucket/prefix. It serves no
// SQL of its own (`bun run query --dataset` and `bun run pipeline --dataset` read a dataset) and
// exports nothing (the dataset is Parquet already).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DATASET_FILE } from "../../backfill/dataset-layout.ts";
import { openDatasetStore } from "../../backfill/open-dataset-store.ts";
import type { ExportReport, OpenedSink, OpenSinkOptions } from "../open-sink.ts";
import { DatasetSink } from "./dataset-sink.ts";

const PREFIX = "dataset:";

/** The dataset location of a target: `dataset:LOCATION`, `s3://...`, or a folder holding a dataset.json; null for anything else. */
export function datasetLocation(target: string): string | null {
  if (target.startsWith(PREFIX)) return target.slice(PREFIX.length);
  if (/^s3:\/\//i.test(target)) return target;
  return existsSync(join(target, DATASET_FILE)) ? target : null;
}

/** Whether the dataset at `location` exists (a folder's dataset.json; an object store is asked when opened). */
export function datasetExists(location: string): boolean {
  return /^s3:\/\//i.test(location) || existsSync(join(location, DATASET_FILE));
}

function setting(options: OpenSinkOptions, name: string): string | undefined {
  return options.settings?.[name];
}

export async function openDatasetSink(location: string, options: OpenSinkOptions): Promise<OpenedSink> {
  if (options.exports?.json || options.exports?.parquet) {
    throw new Error(`--export-json and --export-parquet export a DuckDB sink's rows; the dataset ${location} is Parquet already (bun run query --dataset ${location} reads it)`);
  }
  const shardSize = setting(options, "shard_size");
  const store = openDatasetStore(location, { endpoint: setting(options, "s3_endpoint") });
  const sink = await DatasetSink.open(store, { network: options.network ?? null, ...(shardSize ? { shardSize: Number(shardSize) } : {}) });
  if (options.startOver) await sink.startOver(options.startOver.at);
  return {
    sink,
    metadata: { sink_type: "dataset", output_formats: "parquet", endpoints: store.location },
    notes: [],
    clientServices: async () => null,
    exportRange: async (): Promise<ExportReport> => ({ json: null, parquet: null }),
    async close(closing = {}) {
      if (closing.removeIfUnused) return sink.closeAndRemoveIfUnused();
      await sink.close();
      return false;
    },
  };
}
