// A lake folder whose manifest or objects are not regular files (a FIFO, a directory, a device)
// fails at once with an error naming the file, instead of hanging the pipeline (a FIFO blocked the
// open forever, and with it SIGINT/SIGTERM); every local read has a deadline and honours abort.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { readDataLakeConfig } from "../../src/source/datalake/config.ts";
import { FolderStore } from "../../src/source/datalake/folder-store.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { withDeadline } from "../../src/timing/timeout.ts";
import { runBunScript } from "../support/cli.ts";
import { tempDir } from "../sink/fixtures.ts";

const scratch = tempDir("stellar-flow-fifo-");
afterAll(() => scratch.remove());
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { expectSourceError, readRange, TempLake } from "./lake-fixtures.ts";

const KEY = "FE2A45FF--30784000-30847999/FE29B180--30822015.xdr.zst";

const lakes: TempLake[] = [];
afterEach(async () => {
  await Promise.all(lakes.splice(0).map((l) => l.remove()));
});
/** A temporary pubnet lake; `withManifest` false: without its .config.json. */
async function tempLake(withManifest = true): Promise<TempLake> {
  const lake = withManifest ? await TempLake.create() : await TempLake.create(null);
  lakes.push(lake);
  return lake;
}

function mkfifo(path: string): void {
  const made = Bun.spawnSync(["mkfifo", path]);
  if (made.exitCode !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr.toString()}`);
}

describe("non-regular files in a folder lake", () => {
  test("a FIFO, a directory or a device as the manifest: refused at once, naming what it is", async () => {
    for (const [make, kind] of [
      [(path: string) => mkfifo(path), "a FIFO (named pipe)"],
      [(path: string) => mkdir(path), "a directory"],
      [(path: string) => symlink("/dev/zero", path), "a character device"],
    ] as const) {
      const lake = await tempLake(false);
      await make(join(lake.dir, ".config.json"));
      const error = await readDataLakeConfig(new FolderStore(lake.dir)).catch((e: unknown) => e);
      expectSourceError(error, null, join(lake.dir, ".config.json"), new RegExp(`^cannot read the data lake manifest: not a regular file: ${kind.replace(/[()]/g, "\\$&")}`));
    }
  });

  test("a FIFO in place of a ledger object: refused, naming the ledger and the object", async () => {
    const lake = await tempLake();
    await mkdir(join(lake.dir, KEY, ".."), { recursive: true });
    mkfifo(join(lake.dir, KEY));
    const { error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822015);
    expectSourceError(error, 30822015, KEY, /^cannot read the object: not a regular file: a FIFO \(named pipe\)/);
  });

  test("bun run pipeline over a lake whose .config.json is a FIFO ends with exit 1 and the reason", async () => {
    const lake = await tempLake(false);
    mkfifo(join(lake.dir, ".config.json"));
    const run = await runBunScript("src/cli/pipeline.ts", ["--datalake", lake.dir, "--start", "5", "--end", "5", "--db", join(scratch.path, "db.duckdb"), "--health-ports", "off"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot read the data lake manifest: not a regular file: a FIFO (named pipe) (${join(lake.dir, ".config.json")})`);
  }, 20_000);

  test("a real lake still reads", async () => {
    expect((await readRange(await openFolderLake(lakePath("pubnet")), 30822015, 30822016)).ledgers).toHaveLength(2);
  });
});

describe("withDeadline", () => {
  const never = new Promise<never>(() => undefined);

  test("work that never settles fails at the deadline, naming what took too long", async () => {
    await expect(withDeadline(never, 50, undefined, "the read")).rejects.toThrow("the read took longer than 50 ms");
  });

  test("an abort (SIGINT's) releases the caller at once with the signal's reason", async () => {
    const abort = new AbortController();
    const waiting = withDeadline(never, 60_000, abort.signal, "the read");
    abort.abort(new Error("interrupted"));
    await expect(waiting).rejects.toThrow("interrupted");
    await expect(withDeadline(never, 60_000, abort.signal, "the read")).rejects.toThrow("interrupted");
  });

  test("work that settles in time passes its outcome through", async () => {
    expect(await withDeadline(Promise.resolve(7), 1000, undefined, "x")).toBe(7);
    await expect(withDeadline(Promise.reject(new Error("ENOENT")), 1000, undefined, "x")).rejects.toThrow("ENOENT");
  });
});
