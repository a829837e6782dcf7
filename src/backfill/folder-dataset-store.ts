// A dataset in a local folder. Files are written under a temporary name in `<root>/.staging` (the
// same file system, so that publishing is a rename), fsynced, then renamed into place; the folder
// is fsynced after, so that a published file survives a crash.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { DatasetStore, StagedFile } from "./dataset-store.ts";
import { isOrphanedStagingFile, stagingName } from "./staging-names.ts";

function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function checkKey(key: string): void {
  if (key === "" || key.startsWith("/") || key.split("/").some((part) => part === "" || part === "." || part === "..")) {
    throw new Error(`not a dataset key: ${JSON.stringify(key)}`);
  }
}

export class FolderDatasetStore implements DatasetStore {
  readonly #staging: string;

  constructor(readonly location: string) {
    this.#staging = join(location, ".staging");
  }

  describe(key: string): string {
    return key === "" ? this.location : join(this.location, key);
  }

  async read(key: string): Promise<Uint8Array | null> {
    checkKey(key);
    const file = Bun.file(this.describe(key));
    return (await file.exists()) ? file.bytes() : null;
  }

  async stream(key: string): Promise<ReadableStream<Uint8Array> | null> {
    checkKey(key);
    const file = Bun.file(this.describe(key));
    return (await file.exists()) ? file.stream() : null;
  }

  async list(prefix: string): Promise<string[]> {
    const dir = join(this.location, prefix);
    let entries;
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(this.location, join(e.parentPath, e.name)).split(sep).join("/"))
      .filter((key) => !key.startsWith(".staging/"))
      .sort();
  }

  async writeBytes(key: string, bytes: Uint8Array): Promise<void> {
    const file = await this.stage(key);
    try {
      const fd = openSync(file.path, "w");
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      await file.publish();
    } catch (error) {
      await file.discard();
      throw error;
    }
  }

  async stage(key: string): Promise<StagedFile> {
    checkKey(key);
    mkdirSync(this.#staging, { recursive: true });
    const path = join(this.#staging, stagingName(key));
    return {
      path,
      publish: async (as = key) => {
        checkKey(as);
        const target = this.describe(as);
        mkdirSync(dirname(target), { recursive: true });
        renameSync(path, target);
        syncDirectory(dirname(target));
      },
      discard: async () => rmSync(path, { force: true }),
    };
  }

  async remove(key: string): Promise<void> {
    checkKey(key);
    rmSync(this.describe(key), { force: true });
  }

  async sweepStaged(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.#staging);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const swept = names.filter(isOrphanedStagingFile).map((name) => join(this.#staging, name));
    for (const path of swept) rmSync(path, { force: true });
    return swept;
  }
}
