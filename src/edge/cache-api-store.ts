// Lake objects kept in the runtime's Cache API (workerd's caches.default, Deno's caches.open):
// a ledger object never changes once written, so a hit is always right. Only objects are cached:
// not the manifest, and not "not there yet" (a ledger may be written later).
import type { ObjectStore } from "../source/datalake/object-store.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";

export class CacheApiStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    private readonly cache: Cache,
    /** Which keys hold immutable objects (the ledger objects). */
    private readonly cacheable: (key: string) => boolean,
  ) {}

  async get(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
    if (!this.cacheable(key)) return this.inner.get(key, options);
    const url = this.inner.describe(key);
    // a cache that fails is no reason to fail the request: read the lake instead
    const hit = await this.cache.match(url).catch(() => undefined);
    if (hit) return new Uint8Array(await hit.arrayBuffer());
    const bytes = await this.inner.get(key, options);
    if (bytes !== null) {
      const response = new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "cache-control": IMMUTABLE, "content-type": "application/octet-stream" } });
      await this.cache.put(url, response).catch(() => undefined);
    }
    return bytes;
  }

  describe(key: string): string {
    return this.inner.describe(key);
  }
}

/** The runtime's cache for lake objects, if it has the Cache API (workerd: caches.default). */
export async function runtimeCache(name = "stellar-flow-ledger-objects"): Promise<Cache | null> {
  const storage = (globalThis as { caches?: CacheStorage & { default?: Cache } }).caches;
  if (!storage) return null;
  if (storage.default) return storage.default;
  try {
    return await storage.open(name);
  } catch {
    return null;
  }
}
