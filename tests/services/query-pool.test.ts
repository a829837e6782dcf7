// QueryPool: connections lent one query at a time, first come first served, a bounded line, no
// wait past the deadline.
import { expect, test } from "bun:test";
import type { DuckDBConnection } from "@duckdb/node-api";
import { QueryPool } from "../../src/sink/services/query-pool.ts";
import { isConnectError } from "../../src/sink/services/refusal.ts";

const connection = (name: string) => ({ name }) as unknown as DuckDBConnection;
const later = (ms: number) => performance.now() + ms;

async function refusalOf(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isConnectError(error)) return { code: error.code, message: error.rawMessage };
    throw error;
  }
  throw new Error("not refused");
}

test("lends each connection once; the line is served in order as they come back", async () => {
  const [a, b] = [connection("a"), connection("b")];
  const pool = new QueryPool([a, b], 2);
  const first = await pool.acquire(later(1000), "1 s");
  const second = await pool.acquire(later(1000), "1 s");
  expect(new Set([first, second])).toEqual(new Set([a, b]));
  const third = pool.acquire(later(1000), "1 s");
  const fourth = pool.acquire(later(1000), "1 s");
  pool.release(first);
  expect(await third).toBe(first);
  pool.release(second);
  expect(await fourth).toBe(second);
});

test("one more than the line holds is refused at once (ResourceExhausted)", async () => {
  const pool = new QueryPool([connection("a")], 1);
  await pool.acquire(later(1000), "1 s");
  const waiting = pool.acquire(later(50), "50 ms");
  const refusal = await refusalOf(pool.acquire(later(1000), "1 s"));
  expect(refusal).toEqual({ code: 8, message: "the server is busy: 1 queries are running and 1 waiting, the most it takes; try again shortly" });
  expect((await refusalOf(waiting)).message).toBe("the server is busy: no query connection came free within 50 ms (1 queries run at once); try again shortly");
});

test("a wait past the deadline is refused and leaves the line; the connection goes to the next one", async () => {
  const a = connection("a");
  const pool = new QueryPool([a], 4);
  const held = await pool.acquire(later(1000), "1 s");
  expect((await refusalOf(pool.acquire(later(20), "20 ms"))).code).toBe(8);
  const next = pool.acquire(later(1000), "1 s");
  pool.release(held);
  expect(await next).toBe(a);
});

test("an aborted wait is Canceled and leaves the line", async () => {
  const pool = new QueryPool([connection("a")], 1);
  const held = await pool.acquire(later(1000), "1 s");
  const abort = new AbortController();
  const waiting = pool.acquire(later(1000), "1 s", abort.signal);
  abort.abort();
  expect((await refusalOf(waiting)).code).toBe(1);
  const next = pool.acquire(later(1000), "1 s"); // the line has room again
  pool.release(held);
  expect(await next).toBe(held);
});

test("no connections is a setup error, not a server that refuses everything", () => {
  expect(() => new QueryPool([], 4)).toThrow(/needs query connections/);
});
