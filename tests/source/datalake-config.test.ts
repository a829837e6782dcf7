import { afterEach, describe, expect, test } from "bun:test";
import { DATA_LAKE_CONFIG_KEY, parseDataLakeConfig, readDataLakeConfig } from "../../src/source/datalake/config.ts";
import { FolderStore } from "../../src/source/datalake/folder-store.ts";
import { SourceError } from "../../src/source/source-error.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { PUBNET_MANIFEST, TempLake } from "./lake-fixtures.ts";

const lakes: TempLake[] = [];
afterEach(async () => {
  await Promise.all(lakes.splice(0).map((l) => l.remove()));
});
async function tempLake(manifest: Record<string, unknown> | null): Promise<TempLake> {
  const lake = await TempLake.create(manifest);
  lakes.push(lake);
  return lake;
}

async function configError(store: FolderStore): Promise<SourceError> {
  const error = await readDataLakeConfig(store).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  const e = error as SourceError;
  expect(e.location).toBe(store.describe(DATA_LAKE_CONFIG_KEY));
  expect(e.message).toContain(store.describe(DATA_LAKE_CONFIG_KEY));
  return e;
}

describe("data lake manifest", () => {
  test("reads the sample lakes' .config.json", async () => {
    expect(await readDataLakeConfig(new FolderStore(lakePath("pubnet")))).toEqual({
      networkPassphrase: "Public Global Stellar Network ; September 2015",
      version: "1.0",
      compression: "zstd",
      ledgersPerBatch: 1,
      batchesPerPartition: 64000,
    });
    expect((await readDataLakeConfig(new FolderStore(lakePath("standalone-p23")))).networkPassphrase).toBe(
      "Standalone Network ; February 2017",
    );
  });

  test("missing manifest names the file", async () => {
    const lake = await tempLake(null);
    expect((await configError(new FolderStore(lake.dir))).message).toMatch(/^data lake manifest not found/);
  });

  test("a folder that does not exist", async () => {
    const e = await configError(new FolderStore("/nonexistent/stellar-flow-lake"));
    expect(e.message).toContain("not found");
  });

  test("malformed JSON names the file", async () => {
    const lake = await tempLake(null);
    await lake.put(DATA_LAKE_CONFIG_KEY, "{ networkPassphrase: ");
    expect((await configError(new FolderStore(lake.dir))).message).toMatch(/^malformed data lake manifest/);
  });

  test("a JSON value that is not an object", async () => {
    const lake = await tempLake(null);
    await lake.put(DATA_LAKE_CONFIG_KEY, "[1, 2]");
    expect((await configError(new FolderStore(lake.dir))).message).toMatch(/expected a JSON object/);
  });

  test("compression other than zstd", async () => {
    const lake = await tempLake({ ...PUBNET_MANIFEST, compression: "gzip" });
    expect((await configError(new FolderStore(lake.dir))).message).toMatch(/unsupported data lake compression "gzip": only "zstd" is supported/);
  });

  test.each([
    ["ledgersPerBatch", 0],
    ["ledgersPerBatch", 1.5],
    ["ledgersPerBatch", "1"],
    ["batchesPerPartition", 0],
    ["batchesPerPartition", -3],
    ["batchesPerPartition", undefined],
  ])("%s = %p is rejected", (field, value) => {
    const text = JSON.stringify({ ...PUBNET_MANIFEST, [field]: value });
    expect(() => parseDataLakeConfig(text, "lake/.config.json")).toThrow(new RegExp(`${field} must be an integer >= 1.*lake/\\.config\\.json`));
  });

  test("networkPassphrase is required", () => {
    const { networkPassphrase: _, ...rest } = PUBNET_MANIFEST;
    expect(() => parseDataLakeConfig(JSON.stringify(rest), "x/.config.json")).toThrow(/networkPassphrase must be a non-empty string/);
  });

  test("version is optional (SEP-54 does not define it; galexie writes it)", () => {
    const { version: _, ...rest } = PUBNET_MANIFEST;
    expect(parseDataLakeConfig(JSON.stringify(rest), "x/.config.json").version).toBeNull();
    expect(() => parseDataLakeConfig(JSON.stringify({ ...rest, version: 1 }), "x/.config.json")).toThrow(/version must be a string/);
  });
});
