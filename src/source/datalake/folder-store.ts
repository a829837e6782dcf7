// ObjectStore over a local folder: the key is a path relative to the folder.
import { constants } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { ObjectLister, ObjectListing } from "./object-lister.ts";
import type { ObjectStore } from "./object-store.ts";
import { withDeadline } from "../../timing/timeout.ts";

export interface FolderStoreOptions {
  /** A read or listing that takes longer fails (default 30 s), so a stuck file system cannot hang the run. */
  readonly timeoutMs?: number;
}

export const DEFAULT_FOLDER_TIMEOUT_MS = 30_000;

/** What a file that is not a regular file is, for the error. */
function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "another kind of file";
}

export class FolderStore implements ObjectStore, ObjectLister {
  readonly #timeoutMs: number;

  constructor(
    readonly root: string,
    options: FolderStoreOptions = {},
  ) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_FOLDER_TIMEOUT_MS;
  }

  async get(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
    if (key.startsWith("/") || key.split("/").includes("..")) throw new Error(`invalid object key ${JSON.stringify(key)}`);
    const path = join(this.root, key);
    try {
      // A stuck file system (a hung network mount) cannot hold up the run, nor its Ctrl-C.
      return await withDeadline(this.#readRegularFile(path), this.#timeoutMs, options?.signal, "the read");
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "ENOENT" || code === "ENOTDIR") return null;
      throw error;
    }
  }

  /**
   * The file's bytes, if it is a regular file. Opened non-blocking, so that a FIFO without a writer
   * does not block the open, then checked on the open descriptor (no race with a rename).
   */
  async #readRegularFile(path: string): Promise<Uint8Array> {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new Error(`not a regular file: ${kindOf(stats)}`);
      const bytes = await handle.readFile();
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } finally {
      await handle.close();
    }
  }

  /** Lists one folder level (the delimiter is always "/"), sorted like S3 does. */
  async list(prefix: string, options: { maxKeys: number; signal?: AbortSignal }): Promise<ObjectListing> {
    if (prefix !== "" && !prefix.endsWith("/")) throw new Error(`FolderStore lists folders only, got prefix ${JSON.stringify(prefix)}`);
    let entries;
    try {
      entries = await withDeadline(readdir(join(this.root, prefix), { withFileTypes: true }), this.#timeoutMs, options.signal, "listing the folder");
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
