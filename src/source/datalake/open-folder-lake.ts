// Builds a DataLakeSource over a local folder holding a SEP-54 lake (`.config.json` + objects).
import { readDataLakeConfig } from "./config.ts";
import { DataLakeSource, type DataLakeSourceOptions } from "./datalake-source.ts";
import { FolderStore } from "./folder-store.ts";
import { bunZstdDecompress } from "./zstd-bun.ts";

export type OpenFolderLakeOptions = Omit<DataLakeSourceOptions, "store" | "config" | "decompress"> &
  Partial<Pick<DataLakeSourceOptions, "decompress">>;

/** Reads and validates the lake's manifest, then returns a source over the folder. */
export async function openFolderLake(path: string, options: OpenFolderLakeOptions = {}): Promise<DataLakeSource> {
  const store = new FolderStore(path);
  const config = await readDataLakeConfig(store);
  return new DataLakeSource({ ...options, store, config, decompress: options.decompress ?? bunZstdDecompress });
}
