// HttpsStore URLs: objects under the lake URL, listings on the bucket root (the host for
// virtual-hosted buckets such as the public Stellar lake, the first path segment otherwise).
import { afterEach, describe, expect, test } from "bun:test";
import { HttpsStore } from "../../src/source/datalake/https-store.ts";
import { FAST_RETRY } from "../support/fast-retry.ts";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

function recordFetches(body: string): string[] {
  const urls: string[] = [];
  globalThis.fetch = Object.assign(
    async (input: string | URL | Request) => {
      urls.push(String(input instanceof Request ? input.url : input));
      return new Response(body);
    },
    { preconnect: realFetch.preconnect },
  );
  return urls;
}

const LISTING = `<ListBucketResult><Contents><Key>v1.1/stellar/ledgers/pubnet/FC4DB5FF--61492224-61555199/FC4D9B5E--61498529.xdr.zst</Key></Contents></ListBucketResult>`;

describe("HttpsStore", () => {
  test("the public lake (virtual-hosted bucket): objects under the path, listings on the host with the path as prefix", async () => {
    const urls = recordFetches(LISTING);
    const store = new HttpsStore("https://aws-public-blockchain.s3.us-east-2.amazonaws.com/v1.1/stellar/ledgers/pubnet", { retry: FAST_RETRY });
    expect(store.describe(".config.json")).toBe("https://aws-public-blockchain.s3.us-east-2.amazonaws.com/v1.1/stellar/ledgers/pubnet/.config.json");
    const listing = await store.list("FC4DB5FF--61492224-61555199/", { delimiter: "/", maxKeys: 20 });
    expect(urls[0]).toBe(
      "https://aws-public-blockchain.s3.us-east-2.amazonaws.com/?list-type=2&prefix=v1.1%2Fstellar%2Fledgers%2Fpubnet%2FFC4DB5FF--61492224-61555199%2F&max-keys=20&delimiter=%2F",
    );
    expect(listing.keys).toEqual(["FC4DB5FF--61492224-61555199/FC4D9B5E--61498529.xdr.zst"]);
  });

  test("a path-style URL: the first path segment is the bucket", async () => {
    const urls = recordFetches("<ListBucketResult></ListBucketResult>");
    const store = new HttpsStore("http://127.0.0.1:9000/ledgers/pubnet/", { retry: FAST_RETRY });
    await store.list("", { delimiter: "/", maxKeys: 5 });
    expect(urls[0]).toBe("http://127.0.0.1:9000/ledgers/?list-type=2&prefix=pubnet%2F&max-keys=5&delimiter=%2F");
  });
});
