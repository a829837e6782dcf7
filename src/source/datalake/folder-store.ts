// ObjectStore over a local folder: the key is a path relative to the folder.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ObjectLister, ObjectListing } from "./object-lister.ts";
import type { ObjectStore } from "./object-store.ts";

export class FolderStore implements ObjectStore, ObjectLister {
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

  /** Lists one folder level (the delimiter is always "/"), sorted like S3 does. */
  async list(prefix: string, options: { maxKeys: number; signal?: AbortSignal }): Promise<ObjectListing> {
    if (prefix !== "" && !prefix.endsWith("/")) throw new Error(`FolderStore lists folders only, got prefix ${JSON.stringify(prefix)}`);
    let entries;
    try {
      entries = await readdir(join(this.root, prefix), { withFileTypes: true });
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return { keys: [], prefixes: [] };
      throw error;
    }
    const names = entries.map((e) => (e.isDirectory() ? `${prefix}${e.name}/` : `${prefix}${e.name}`)).sort().slice(0, options.maxKeys);
    return { keys: names.filter((n) => !n.endsWith("/")), prefixes: names.filter((n) => n.endsWith("/")) };
  }

  describe(key: string): string {
    return join(this.root, key);
  }
}
