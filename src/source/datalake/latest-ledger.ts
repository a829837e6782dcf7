// The newest ledger in a lake, found by listing: SEP-54 names carry 0xFFFFFFFF - start in hex, so
// the first partition and the first object in it (in S3's ascending key order) are the newest.
import { SourceError } from "../source-error.ts";
import type { DataLakeConfig } from "./config.ts";
import type { ObjectLister } from "./object-lister.ts";

const OBJECT_NAME = /^[0-9A-F]{8}--(\d+)(?:-(\d+))?\.xdr\.zstd?$/;
const PARTITION_NAME = /^[0-9A-F]{8}--\d+(?:-\d+)?\/$/;
// Enough to get past `.config.json` and stray entries before the first ledger object.
const LIST_PAGE = 20;

/** Last ledger of the newest object in the lake; throws a SourceError when it holds none. */
export async function findLatestLedger(
  lister: ObjectLister,
  config: Pick<DataLakeConfig, "batchesPerPartition">,
  where: string,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  let folder = "";
  if (config.batchesPerPartition > 1) {
    const root = await lister.list("", { delimiter: "/", maxKeys: LIST_PAGE, signal: options.signal });
    const partition = root.prefixes.find((p) => PARTITION_NAME.test(p));
    if (partition === undefined) throw new SourceError("the data lake holds no ledger partitions", null, where);
    folder = partition;
  }
  const listing = await lister.list(folder, { delimiter: "/", maxKeys: LIST_PAGE, signal: options.signal });
  for (const key of listing.keys) {
    const match = OBJECT_NAME.exec(key.slice(folder.length));
    if (match) return Number(match[2] ?? match[1]);
  }
  throw new SourceError(`the data lake holds no ledger objects${folder ? ` in ${folder}` : ""}`, null, where);
}
