// Issue 12, items 1-3, against the services in process: path-named and out-of-scope CTEs, refused
// statements that were prepared anyway (binder errors quoting files, IMPORT DATABASE read while
// splitting statements) and the side effects of preparing them. Each is refused by the statement
// check, with nothing of a canary file in any answer and nothing created.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { existsSync } from "node:fs";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { writeCanaries, type Canaries } from "../support/canaries.ts";
import { errorOf } from "../support/flowctl.ts";
import { ALLOWED, attacks } from "./sql-attacks.ts";
import { servicesHarness, type ServicesHarness } from "./support.ts";

const canaries: Canaries = await writeCanaries();
const readsShow = canaries.arm();
let h: ServicesHarness;
let client: ReturnType<typeof createClient<typeof QueryService>>;

beforeAll(async () => {
  h = await servicesHarness({ query: { timeoutMs: 5000 } });
  await h.commit(100, 109);
  client = createClient(QueryService, createConnectTransport({ baseUrl: h.server.url, defaultTimeoutMs: 20_000 }));
});
afterAll(async () => {
  await h.close();
  canaries.remove();
});

async function download(sql: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${h.server.url}/download/parquet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sql }) });
  return { status: response.status, text: new TextDecoder().decode(await response.arrayBuffer()) };
}

describe("the statement check refuses what issue 12 found, without reading or creating anything", () => {
  for (const attack of attacks(canaries)) {
    test(`QueryService: ${attack.name}`, async () => {
      const error = await errorOf(client.query({ sql: attack.sql }));
      expect([Code.PermissionDenied, Code.InvalidArgument]).toContain(error.code);
      expect(error.rawMessage).toMatch(attack.refusal);
      expect(canaries.leaked(error.rawMessage)).toBe(false);
      if (attack.creates) expect(existsSync(attack.creates)).toBe(false);
    });
    test(`/download/parquet: ${attack.name}`, async () => {
      const answer = await download(attack.sql);
      expect([400, 403]).toContain(answer.status);
      expect(answer.text).toMatch(attack.refusal);
      expect(canaries.leaked(answer.text)).toBe(false);
      if (attack.creates) expect(existsSync(attack.creates)).toBe(false);
    });
  }

  test("a refusal says the same for a file that exists and one that does not (no existence oracle)", async () => {
    const there = (await errorOf(client.query({ sql: `CALL read_csv('${canaries.csv}')` }))).rawMessage;
    const absent = (await errorOf(client.query({ sql: `CALL read_csv('${canaries.csv}.absent')` }))).rawMessage;
    expect(there).toBe(absent);
  });
});

test.skipIf(!readsShow)("no canary file or directory was read at all (their access times did not move)", () => {
  expect(canaries.touched()).toEqual([]);
});

describe("what the check still lets through", () => {
  for (const { sql, first } of ALLOWED) {
    test(sql, async () => {
      const answer = await client.query({ sql });
      expect(answer.rows[0]?.values[0]?.text).toBe(first);
    });
  }
});
