// A dataset holds one network's ledgers in one schema version. Before anything is written, `--out`
// is checked: its dataset.json (or, without one, its manifests) must say the same network and schema
// version, and it may hold nothing but a dataset's entries; a new dataset gets its dataset.json.
import { NETWORK_PASSPHRASES } from "../stellar/network.ts";
import type { DatasetStore } from "./dataset-store.ts";
import { DATASET_ENTRIES, DATASET_FILE, MANIFESTS } from "./dataset-layout.ts";
import { DATASET_FORMAT, encodeJson, parseDescriptor, parseManifest, SCHEMA_VERSION, type DatasetDescriptor } from "./manifest.ts";

/** `--out` holds something else than a dataset of this network and schema version. */
export class DatasetMismatchError extends Error {
  override readonly name = "DatasetMismatchError";
}

/** "pubnet" for pubnet's passphrase, else the passphrase quoted. */
export function networkLabel(passphrase: string): string {
  const name = Object.entries(NETWORK_PASSPHRASES).find(([, p]) => p === passphrase)?.[0];
  return name ?? JSON.stringify(passphrase);
}

function mismatch(store: DatasetStore, found: { network: string; schemaVersion: number }, want: { network: string; schemaVersion: number }, where: string, flag: string): DatasetMismatchError | null {
  if (found.network === want.network && found.schemaVersion === want.schemaVersion) return null;
  const what = found.network !== want.network ? `ledgers of ${networkLabel(found.network)}` : `schema version ${found.schemaVersion}`;
  const ours = found.network !== want.network ? `${networkLabel(want.network)}` : `schema version ${want.schemaVersion}`;
  return new DatasetMismatchError(`${flag} ${store.location} holds a dataset of ${what} (${where}); this ${flag === "--out" ? "backfill" : "run"} writes ${ours}: choose another ${flag}`);
}

/**
 * Checks that `store` is empty or a dataset of `network` in this schema version, and records both
 * in its dataset.json when it has none yet. Returns the descriptor. `flag` names the store in
 * messages (--out for a backfill, --db for a pipeline writing a dataset).
 */
export async function ensureDataset(store: DatasetStore, network: string, schemaVersion: number = SCHEMA_VERSION, flag = "--out"): Promise<DatasetDescriptor> {
  const want: DatasetDescriptor = { format: DATASET_FORMAT, schemaVersion, network };
  const existing = await store.read(DATASET_FILE);
  if (existing) {
    const found = parseDescriptor(existing, store.describe(DATASET_FILE));
    const error = mismatch(store, found, want, store.describe(DATASET_FILE), flag);
    if (error) throw error;
    return found;
  }
  const keys = await store.list("");
  const foreign = keys.find((key) => !DATASET_ENTRIES.includes(key.split("/")[0]!));
  if (foreign) {
    throw new DatasetMismatchError(`${flag} ${store.location} holds ${store.describe(foreign)}, which is not part of a stellar-flow dataset: choose an empty folder or prefix`);
  }
  // a dataset whose dataset.json was lost: its manifests still say what it holds
  const manifest = keys.find((key) => key.startsWith(`${MANIFESTS}/`));
  if (manifest) {
    const bytes = await store.read(manifest);
    if (bytes) {
      const found = parseManifest(bytes, store.describe(manifest));
      const error = mismatch(store, found, want, store.describe(manifest), flag);
      if (error) throw error;
    }
  }
  await store.writeBytes(DATASET_FILE, encodeJson(want));
  return want;
}
