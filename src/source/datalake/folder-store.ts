// ObjectStore over a local folder: the key is a path relative to the folder.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ObjectStore } from "./object-store.ts";

export class FolderStore implements ObjectStore {
  constructor(readonly root: string) {}

  async get(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
    if (key.startsWith("/") || key.split("/").includes("..")) throw new Error(`invalid object key ${JSON.stringify(key)}`);
    try {
      const bytes = await readFile(join(this.root, key), { signal: options?.signal });
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "ENOENT" || code === "ENOTDIR") return null;
      throw error;
    }
  }

  describe(key: string): string {
    return join(this.root, key);
  }
}
