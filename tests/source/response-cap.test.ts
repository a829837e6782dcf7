// Bodies read over HTTP are capped: a server that declares, or streams, more than the caller takes is
// refused without its body being held (a lake object, a listing, an RPC response), and not retried.
import { afterAll, describe, expect, test } from "bun:test";
import { fetchBytes, ResponseTooLargeError } from "../../src/source/http/fetch-bytes.ts";
import { HttpsStore } from "../../src/source/datalake/https-store.ts";
import { FAST_RETRY } from "../support/fast-retry.ts";

let streamed = 0;
let requests = 0;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    requests++;
    const path = new URL(request.url).pathname;
    if (path.endsWith("/declared.xdr.zst")) return new Response(new Uint8Array(2048));
    if (path.endsWith("/small.xdr.zst")) return new Response(new Uint8Array(512).fill(7));
    // no length, and no end: 64 KiB chunks for as long as anyone reads
    const chunk = new Uint8Array(64 * 1024);
    return new Response(
      new ReadableStream({
        pull(controller) {
          streamed += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
  },
});
afterAll(() => server.stop(true));
const url = (name: string) => `http://127.0.0.1:${server.port}/lake/${name}`;

describe("fetchBytes with maxBytes", () => {
  test("a declared length over the cap is refused before the body is read", async () => {
    const error = await fetchBytes(url("declared.xdr.zst"), { signal: AbortSignal.timeout(5000) }, [200], { maxBytes: 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toBe(`the response from ${url("declared.xdr.zst")} is 2048 bytes, over the cap of 1024 bytes`);
  });

  test("a body without end is cut off just past the cap", async () => {
    streamed = 0;
    const error = await fetchBytes(url("endless"), { signal: AbortSignal.timeout(5000) }, [200], { maxBytes: 1024 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toBe(`the response from ${url("endless")} is more than the cap of 1048576 bytes`);
    // the server produced about the cap, plus what was buffered on the way: far from without end
    expect(streamed).toBeLessThan(64 * 1024 * 1024);
  });

  test("a body within the cap is read whole", async () => {
    const response = await fetchBytes(url("small.xdr.zst"), { signal: AbortSignal.timeout(5000) }, [200], { maxBytes: 512 });
    expect(response.body).toEqual(new Uint8Array(512).fill(7));
  });
});

describe("HttpsStore", () => {
  test("an object over its maxObjectBytes fails at once, naming the URL (no retry)", async () => {
    const store = new HttpsStore(`http://127.0.0.1:${server.port}/lake/`, { retry: FAST_RETRY, maxObjectBytes: 4096 });
    const before = requests;
    const error = await store.get("endless").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toContain(`${url("endless")} is more than the cap of 4096 bytes`);
    expect(requests - before).toBe(1);
    expect(await store.get("small.xdr.zst")).toEqual(new Uint8Array(512).fill(7));
  });
});
