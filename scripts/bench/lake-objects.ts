// The compressed objects of a shared sample lake, in sequence order, and where they are on disk.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readDataLakeConfig } from "../../src/source/datalake/config.ts";
import { FolderStore } from "../../src/source/datalake/folder-store.ts";

export interface LakeObject {
  readonly sequence: number;
  readonly path: string;
  readonly compressed: Uint8Array;
}

export interface LakeObjects {
  readonly name: string;
  readonly networkPassphrase: string;
  readonly objects: readonly LakeObject[];
}

export async function readLakeObjects(dir: string, name: string): Promise<LakeObjects> {
  const config = await readDataLakeConfig(new FolderStore(dir));
  if (config.ledgersPerBatch !== 1) throw new Error(`${dir}: the bench replays lakes of one ledger per object`);
  const objects: LakeObject[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const sequence = /--(\d+)\.xdr\.zstd?$/.exec(entry)?.[1];
    if (sequence === undefined) continue;
    const path = join(dir, entry);
    objects.push({ sequence: Number(sequence), path, compressed: await Bun.file(path).bytes() });
  }
  objects.sort((a, b) => a.sequence - b.sequence);
  return { name, networkPassphrase: config.networkPassphrase, objects };
}
