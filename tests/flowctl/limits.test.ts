// flowctl's bounds: registrations, metadata per registration, watches open at once; what a
// registration may name (http(s) endpoints only, no control or format characters in ids); no
// silent takeover of a live service by its component_id; unknown enum names in a JSON filter are
// an error, not "every service"; with a token, /health and /metrics want it, /livez does not.
import { afterEach, describe, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { HealthStatus, ServiceType, type WatchServicesResponse } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import type { FlowctlServer } from "../../src/flowctl/serve-flowctl.ts";
import { errorOf, flowctlClient, startTestFlowctl, waitFor } from "../support/flowctl.ts";

const SERVICE = "flowctl.v1.ControlPlaneService";
let server: FlowctlServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

describe("flowctl limits", () => {
  test("at most --max-services registrations: one more is ResourceExhausted naming the limit; unregistering frees a place", async () => {
    server = startTestFlowctl({ maxServices: 3 });
    const client = flowctlClient(server.url);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.register({ service: { componentId: `c${i}`, serviceType: ServiceType.SOURCE } })).serviceId);
    const full = await errorOf(client.register({ service: { componentId: "c3", serviceType: ServiceType.SOURCE } }));
    expect([full.code, full.rawMessage]).toEqual([Code.ResourceExhausted, "flowctl holds 3 services, the most it accepts (--max-services 3): unregister one, or wait for silent ones to be evicted"]);
    await client.unregister({ serviceId: ids[0]! });
    await client.register({ service: { componentId: "c3", serviceType: ServiceType.SOURCE } });
    expect((await client.listServices({})).services).toHaveLength(3);
  });

  test("metadata: at most --max-metadata-entries entries and --max-metadata-bytes bytes of keys and values (InvalidArgument naming them)", async () => {
    server = startTestFlowctl();
    const client = flowctlClient(server.url);
    // 64 entries of 4 KB each were accepted: 256 KB per registration
    const big = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, "x".repeat(4000)]));
    const tooBig = await errorOf(client.register({ service: { serviceType: ServiceType.SOURCE, metadata: big } }));
    expect([tooBig.code, tooBig.rawMessage]).toEqual([Code.InvalidArgument, "service.metadata: at most 8192 bytes of keys and values, got 256182 (flowctl --max-metadata-bytes)"]);
    const ok = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, "x".repeat(1000)]));
    await client.register({ service: { serviceType: ServiceType.SOURCE, metadata: ok } });
    await server.stop();
    server = startTestFlowctl({ maxMetadataEntries: 2, maxMetadataBytes: 100 });
    const strict = flowctlClient(server.url);
    const entries = await errorOf(strict.register({ service: { serviceType: ServiceType.SOURCE, metadata: { a: "1", b: "2", c: "3" } } }));
    expect(entries.rawMessage).toBe("service.metadata: at most 2 entries, got 3 (flowctl --max-metadata-entries)");
    const bytes = await errorOf(strict.register({ service: { serviceType: ServiceType.SOURCE, metadata: { a: "é".repeat(50) } } }));
    expect(bytes.rawMessage).toBe("service.metadata: at most 100 bytes of keys and values, got 101 (flowctl --max-metadata-bytes)");
  });

  test("at most --max-watchers WatchServices streams: one more is ResourceExhausted; a closed one frees its place", async () => {
    server = startTestFlowctl({ maxWatchers: 2 });
    const client = flowctlClient(server.url, "connect-binary");
    const open = () => {
      const abort = new AbortController();
      const messages: WatchServicesResponse[] = [];
      const done = (async () => {
        for await (const message of client.watchServices({}, { signal: abort.signal })) messages.push(message);
      })().catch((error: unknown) => error);
      return { abort, messages, done };
    };
    const a = open();
    const b = open();
    await waitFor("two snapshots", () => (a.messages.length > 0 && b.messages.length > 0 ? true : undefined));
    const third = open();
    const refused = await third.done;
    expect(refused).toMatchObject({ code: Code.ResourceExhausted, rawMessage: "too many watches open (2): close one, or try again later (flowctl --max-watchers)" });
    a.abort.abort();
    await a.done;
    // the server frees the place once it notices the client gone: until then a new watch is still refused
    const again = await waitFor("a snapshot for a new watch", async () => {
      const watch = open();
      const outcome = await Promise.race([watch.done.then(() => "ended"), waitFor("its snapshot", () => (watch.messages.length > 0 ? "snapshot" : undefined))]);
      return outcome === "snapshot" ? watch : undefined;
    });
    again.abort.abort();
    b.abort.abort();
    await Promise.all([again.done, b.done]);
  }, 30_000);
});

describe("what a registration may name", () => {
  test("endpoints: only http(s) URLs (discovery hands them to components that fetch them)", async () => {
    server = startTestFlowctl();
    const client = flowctlClient(server.url);
    for (const endpoint of ["file:///etc/passwd", "javascript:alert(1)", "data:text/plain,x", "ftp://host/x"]) {
      const error = await errorOf(client.register({ service: { serviceType: ServiceType.SOURCE, endpoint } }));
      expect([endpoint, error.code, error.rawMessage]).toEqual([endpoint, Code.InvalidArgument, `service.endpoint: must be an http(s) URL, got "${endpoint}"`]);
    }
    const fine = await client.register({ service: { serviceType: ServiceType.SOURCE, endpoint: "http://127.0.0.1:8088/v1/ledgers" } });
    expect(fine.serviceId).not.toBe("");
  });

  test("ids: no control or format characters (C1 controls, bidirectional overrides, zero-width, line separators)", async () => {
    server = startTestFlowctl();
    const client = flowctlClient(server.url);
    const cases: [string, string][] = [
      ["a\u0085b", "U+0085 at 1"], // NEL, a C1 control
      ["evil\u202Eecruos", "U+202E at 4"], // right-to-left override: shows as "evilsource"
      ["so\u200Burce", "U+200B at 2"], // zero-width space
      ["a\u2028b", "U+2028 at 1"], // line separator
      ["a\u001bb", "U+001B at 1"], // ESC, as before
    ];
    for (const [componentId, where] of cases) {
      const error = await errorOf(client.register({ service: { componentId, serviceType: ServiceType.SOURCE } }));
      expect([error.code, error.rawMessage]).toEqual([Code.InvalidArgument, `service.component_id: control and format characters are not allowed (${where})`]);
      const byId = await errorOf(client.heartbeat({ serviceId: componentId }));
      expect(byId.code).toBe(Code.InvalidArgument);
    }
    expect((await client.register({ service: { componentId: "sõurce-ü", serviceType: ServiceType.SOURCE } })).serviceId).toMatch(/^s-urce-/);
  });
});

describe("no silent takeover", () => {
  test("registering with a live service's component_id adds a registration next to it: the live one keeps its id, endpoint and heartbeats", async () => {
    server = startTestFlowctl();
    const client = flowctlClient(server.url);
    const owner = await client.register({ service: { componentId: "stellar-arrow-source", serviceType: ServiceType.SOURCE, outputEventTypes: ["stellar.ledger.v1"], endpoint: "http://127.0.0.1:8088/v1/ledgers" } });
    const intruder = await client.register({ service: { componentId: "stellar-arrow-source", serviceType: ServiceType.SOURCE, outputEventTypes: ["stellar.ledger.v1"], endpoint: "http://evil.example/v1/ledgers" } });
    expect(intruder.serviceId).not.toBe(owner.serviceId);
    expect((await client.heartbeat({ serviceId: owner.serviceId })).status).toBe(HealthStatus.HEALTHY); // not NOT_FOUND
    const listed = (await client.listServices({})).services.map((s) => [s.service?.serviceId, s.service?.endpoint]);
    expect(listed).toEqual([
      [owner.serviceId, "http://127.0.0.1:8088/v1/ledgers"],
      [intruder.serviceId, "http://evil.example/v1/ledgers"],
    ]);
    // nor by naming its id
    const byId = await errorOf(client.register({ service: { serviceId: owner.serviceId, componentId: "stellar-arrow-source", serviceType: ServiceType.SOURCE, endpoint: "http://evil.example/v1/ledgers" } }));
    expect(byId.code).toBe(Code.AlreadyExists);
    expect((await client.getServiceStatus({ serviceId: owner.serviceId })).status?.service?.endpoint).toBe("http://127.0.0.1:8088/v1/ledgers");
  });

  test("a crashed instance's silent registration is replaced when it starts again", async () => {
    server = startTestFlowctl({ ttlMs: 300, heartbeatIntervalMs: 100, evictAfterMs: 60_000 });
    const client = flowctlClient(server.url);
    const crashed = await client.register({ service: { componentId: "ttp-arrow-processor", serviceType: ServiceType.PROCESSOR } });
    await Bun.sleep(400); // no heartbeat past the TTL
    const restarted = await client.register({ service: { componentId: "ttp-arrow-processor", serviceType: ServiceType.PROCESSOR } });
    expect((await client.listServices({})).services.map((s) => s.service?.serviceId)).toEqual([restarted.serviceId]);
    expect((await errorOf(client.heartbeat({ serviceId: crashed.serviceId }))).code).toBe(Code.NotFound);
  });
});

describe("filters", () => {
  test("an unknown enum name in a JSON request is InvalidArgument, not a filter dropped (which listed every service)", async () => {
    server = startTestFlowctl();
    const client = flowctlClient(server.url);
    await client.register({ service: { componentId: "a", serviceType: ServiceType.SOURCE } });
    const post = (method: string, body: unknown) => fetch(`${server!.url}/${SERVICE}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    for (const [method, body] of [
      ["ListServices", { serviceType: "SERVICE_TYPE_BOGUS" }],
      ["ListServices", { serviceTyp: "SERVICE_TYPE_SINK" }], // a misspelt field
    ] as const) {
      const response = await post(method, body);
      const answer = (await response.json()) as { code?: string; services?: unknown[] };
      expect([JSON.stringify(body), response.status, answer.code]).toEqual([JSON.stringify(body), 400, "invalid_argument"]);
    }
    const sinks = (await (await post("ListServices", { serviceType: "SERVICE_TYPE_SINK" })).json()) as { services?: unknown[] };
    expect(sinks.services ?? []).toEqual([]);
  });
});

describe("with FLOWCTL_TOKEN", () => {
  test("/health and /metrics want the token (unless --open-reads); /livez answers ok without it", async () => {
    server = startTestFlowctl({ token: "flow-t0ken" });
    for (const path of ["/health", "/metrics"]) {
      expect([path, (await fetch(`${server.url}${path}`)).status]).toEqual([path, 401]);
      expect([path, (await fetch(`${server.url}${path}`, { headers: { authorization: "Bearer flow-t0ken" } })).status]).toEqual([path, 200]);
    }
    const live = await fetch(`${server.url}/livez`);
    expect([live.status, await live.text()]).toEqual([200, "ok"]);
    await server.stop();
    server = startTestFlowctl({ token: "flow-t0ken", openReads: true });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
