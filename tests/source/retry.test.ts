// Retry building blocks: backoff with full jitter, Retry-After parsing and capping, per-try
// timeouts, limits, and which failures are tried again.
import { describe, expect, test } from "bun:test";
import { parseRetryAfter } from "../../src/source/http/retry-after.ts";
import { backoffDelayMs, type RetryPolicy } from "../../src/source/retry/retry-policy.ts";
import { TransientError } from "../../src/source/retry/transient-error.ts";
import { RetriesExhaustedError, withRetry } from "../../src/source/retry/with-retry.ts";
import { parseListBucketResult } from "../../src/source/datalake/list-bucket-result.ts";
import { ManualClock } from "../support/manual-clock.ts";

const POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 2_000, timeoutMs: 200 };

describe("retry", () => {
  test("backoff doubles per retry up to maxDelayMs, with full jitter", () => {
    expect([0, 1, 2, 3, 4, 10].map((r) => backoffDelayMs(r, POLICY, null, () => 0.999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelayMs(3, POLICY, null, () => 0)).toBe(0);
    expect(backoffDelayMs(2, POLICY, null, () => 0.5)).toBe(200);
  });

  test("Retry-After replaces the backoff, capped by maxRetryAfterMs", () => {
    expect(backoffDelayMs(0, POLICY, 1_500)).toBe(1_500);
    expect(backoffDelayMs(0, POLICY, 60_000)).toBe(2_000);
    expect(parseRetryAfter("7")).toBe(7_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(5_000);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  test("transient failures are tried again, then succeed", async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw new TransientError("HTTP 503");
        return "ok";
      },
      { ...POLICY, baseDelayMs: 1 },
      { what: "GET x", onRetry: (_, retry) => retries.push(retry) },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  test("the number of tries is limited; the error names what and how often", async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw new TransientError("HTTP 500: boom");
      },
      { ...POLICY, baseDelayMs: 1 },
      { what: "GET http://lake/key" },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(/^GET http:\/\/lake\/key: HTTP 500: boom \(gave up after 4 tries in/);
  });

  test("a try that hangs times out and is tried again, even if it ignores its signal", async () => {
    let calls = 0;
    const result = await withRetry(
      (signal) => {
        calls++;
        return calls === 1 ? new Promise<string>(() => undefined) : Promise.resolve(signal.aborted ? "aborted" : "second");
      },
      { ...POLICY, baseDelayMs: 1, timeoutMs: 50 },
      { what: "slow" },
    );
    expect(result).toBe("second");
    expect(calls).toBe(2);
  });

  test("other errors fail at once; the caller's abort stops the waiting", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error("HTTP 403");
        },
        POLICY,
        { what: "x" },
      ),
    ).rejects.toThrow("HTTP 403");
    expect(calls).toBe(1);

    const abort = new AbortController();
    const clock = new ManualClock();
    const waiting = withRetry(
      async () => {
        throw new TransientError("503", 60_000);
      },
      { ...POLICY, maxRetryAfterMs: 60_000 },
      { what: "x", signal: abort.signal, clock },
    );
    expect(await clock.nextSleep()).toBe(60_000); // waiting the minute Retry-After asked for
    abort.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(clock.now()).toBe(0); // the abort ended the wait, not the time
    expect(clock.pending).toEqual([]);
  });

  test("maxElapsedMs bounds the time spent trying", async () => {
    const clock = new ManualClock();
    const run = withRetry(
      async () => {
        throw new TransientError("down");
      },
      { ...POLICY, attempts: 100, baseDelayMs: 20, maxDelayMs: 20, maxElapsedMs: 150 },
      { what: "x", random: () => 0.99, clock },
    );
    // a try every 19 ms: the 8th, at 133 ms, is the last, since waiting 19 ms more would pass 150
    await expect(clock.runToEnd(run)).rejects.toThrow(/gave up after 8 tries/);
    expect(clock.now()).toBe(133);
    expect(clock.asked.filter((ms) => ms === 19)).toHaveLength(7);
  });

  test("a hanging try is cut at the overall budget, not at its own longer timeout", async () => {
    const clock = new ManualClock();
    const run = withRetry(() => new Promise<never>(() => undefined), { ...POLICY, timeoutMs: 10_000, maxElapsedMs: 200 }, { what: "x", clock });
    await expect(clock.runToEnd(run)).rejects.toThrow(/timed out after 200 ms/);
    expect(clock.now()).toBe(200);
  });
});

describe("ListObjectsV2 response", () => {
  test("keys and common prefixes, XML entities decoded", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>v1.1/stellar/ledgers/pubnet/</Prefix>
<Contents><Key>v1.1/stellar/ledgers/pubnet/.config.json</Key><Size>120</Size></Contents>
<Contents><Key>a&amp;b&lt;c</Key></Contents>
<CommonPrefixes><Prefix>v1.1/stellar/ledgers/pubnet/FC4DB5FF--61492224-61555199/</Prefix></CommonPrefixes></ListBucketResult>`;
    expect(parseListBucketResult(xml)).toEqual({
      keys: ["v1.1/stellar/ledgers/pubnet/.config.json", "a&b<c"],
      prefixes: ["v1.1/stellar/ledgers/pubnet/FC4DB5FF--61492224-61555199/"],
    });
  });

  test("an error page instead of a listing is refused", () => {
    expect(() => parseListBucketResult("<Error><Code>AccessDenied</Code></Error>")).toThrow(/not a ListObjectsV2 response/);
  });
});
