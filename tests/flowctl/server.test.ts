// flowctl as clients see it: a real server on a free port, called from a Connect client (JSON and
// binary), a gRPC-Web transport, and `buf curl` (an independent client, JSON over HTTP).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { ChangeType, HealthStatus, ServiceType, type WatchServicesResponse } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import type { FlowctlServer } from "../../src/flowctl/serve-flowctl.ts";
import { errorOf, flowctlClient, promtool, promtoolProblems, startTestFlowctl, waitFor, type Protocol } from "../support/flowctl.ts";
import { samplesOf, valueOf } from "../support/prometheus-text.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const SERVICE = "flowctl.v1.ControlPlaneService";
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowctl-server-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function withServer<T>(options: Parameters<typeof startTestFlowctl>[0], body: (server: FlowctlServer) => Promise<T>): Promise<T> {
  const server = startTestFlowctl(options);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

async function codeOf(call: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await call;
    return "ok";
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

/** `buf curl` with the schema from proto/: JSON in, JSON out. */
async function bufCurl(url: string, method: string, body: unknown, extra: string[] = []): Promise<{ code: number; json: any; stderr: string }> {
  const buf = join(REPO, "node_modules", ".bin", "buf");
  const proc = Bun.spawn([buf, "curl", "--schema", join(REPO, "proto"), "--data", JSON.stringify(body), ...extra, `${url}/${SERVICE}/${method}`], {
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, json: stdout.trim() ? JSON.parse(stdout) : null, stderr };
}

const sourceInfo = {
  componentId: "stellar-arrow-source",
  serviceType: ServiceType.SOURCE,
  outputEventTypes: ["stellar.ledger.v1"],
  healthEndpoint: "http://127.0.0.1:8088/health",
  endpoint: "http://127.0.0.1:8088",
  maxInflight: 2,
  metadata: { network: "pubnet", storage_type: "folder", batch_size: "16" },
};

describe("flowctl server", () => {
  for (const protocol of ["connect-json", "connect-binary", "grpc-web"] as Protocol[]) {
    test(`register, heartbeat, status, list, discover, pipeline health, unregister over ${protocol}`, async () => {
      await withServer({ heartbeatIntervalMs: 2000, ttlMs: 6000 }, async (server) => {
        const client = flowctlClient(server.url, protocol);
        const registered = await client.register({ service: sourceInfo });
        expect(registered.serviceId).toMatch(/^stellar-arrow-source-/);
        expect(Number(registered.heartbeatInterval?.seconds)).toBe(2);
        expect(Number(registered.heartbeatTtl?.seconds)).toBe(6);
        expect(registered.connectionInfo).toMatchObject({ endpoint: server.url, protocols: "connect,grpc-web" });
        const id = registered.serviceId;

        const sink = await client.register({ service: { componentId: "sink", serviceType: ServiceType.SINK, inputEventTypes: ["ttp_event_service.TTPEvent"] } });
        expect((await client.heartbeat({ serviceId: id, metrics: { current_ledger: 42, ledgers_per_second: 3.5 } })).status).toBe(HealthStatus.HEALTHY);

        const status = (await client.getServiceStatus({ serviceId: id })).status!;
        expect(status.service?.metadata).toEqual(sourceInfo.metadata);
        expect(status.service?.maxInflight).toBe(2);
        expect(status.metrics).toEqual({ current_ledger: 42, ledgers_per_second: 3.5 });
        expect(status.status).toBe(HealthStatus.HEALTHY);

        expect((await client.listServices({})).services.map((s) => s.service?.componentId)).toEqual(["stellar-arrow-source", "sink"]);
        expect((await client.listServices({ serviceType: ServiceType.SINK })).services.map((s) => s.service?.serviceId)).toEqual([sink.serviceId]);
        expect((await client.listServices({ eventType: "stellar.ttp_event.v1" })).services.map((s) => s.service?.inputEventTypes)).toEqual([["stellar.ttp_event.v1"]]);
        const discovered = (await client.discoverServices({ eventType: "stellar_ledger_service.StellarLedger" })).services;
        expect(discovered.map((s) => s.service?.endpoint)).toEqual(["http://127.0.0.1:8088"]);

        const health = await client.getPipelineHealth({});
        expect(health.status).toBe(HealthStatus.HEALTHY);
        expect(health.stages.map((s) => [ServiceType[s.stage], HealthStatus[s.status], s.currentLedger])).toEqual([
          ["SOURCE", "HEALTHY", 42n],
          ["PROCESSOR", "UNKNOWN", 0n],
          ["SINK", "HEALTHY", 0n],
        ]);

        await client.unregister({ serviceId: id });
        expect(await codeOf(client.getServiceStatus({ serviceId: id }))).toBe(Code.NotFound);
        expect(await codeOf(client.heartbeat({ serviceId: id }))).toBe(Code.NotFound);
        expect(await codeOf(client.unregister({ serviceId: id }))).toBe(Code.NotFound);
      });
    });
  }

  test("buf curl: the whole API over Connect JSON and gRPC-Web", async () => {
    await withServer({}, async (server) => {
      const registered = await bufCurl(server.url, "Register", { service: { componentId: "curl-source", serviceType: "SERVICE_TYPE_SOURCE", outputEventTypes: ["stellar_ledger_service.StellarLedger"] } });
      expect(registered.stderr).toBe("");
      expect(registered.json.heartbeatInterval).toBe("10s");
      const id = registered.json.serviceId as string;
      expect((await bufCurl(server.url, "Heartbeat", { serviceId: id, timestamp: new Date().toISOString(), metrics: { current_ledger: 7 } })).json).toEqual({ status: "HEALTH_STATUS_HEALTHY" });
      const status = (await bufCurl(server.url, "GetServiceStatus", { serviceId: id }, ["--protocol", "grpcweb"])).json;
      expect(status.status.service.outputEventTypes).toEqual(["stellar.ledger.v1"]);
      expect(status.status.metrics).toEqual({ current_ledger: 7 });
      expect((await bufCurl(server.url, "ListServices", { serviceType: "SERVICE_TYPE_SOURCE" })).json.services).toHaveLength(1);
      expect((await bufCurl(server.url, "DiscoverServices", { eventType: "stellar.ledger.v1" }, ["--protocol", "grpcweb"])).json.services[0].service.serviceId).toBe(id);
      expect((await bufCurl(server.url, "GetPipelineHealth", {})).json.stages[0]).toMatchObject({ stage: "SERVICE_TYPE_SOURCE", status: "HEALTH_STATUS_HEALTHY", currentLedger: "7" });
      expect((await bufCurl(server.url, "Unregister", { serviceId: id })).json).toEqual({});
      const missing = await bufCurl(server.url, "Heartbeat", { serviceId: id });
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("not_found");
    });
  });

  test("buf curl: WatchServices streams the snapshot and then changes", async () => {
    await withServer({}, async (server) => {
      const client = flowctlClient(server.url);
      await client.register({ service: { componentId: "before", serviceType: ServiceType.SINK } });
      const buf = join(REPO, "node_modules", ".bin", "buf");
      const proc = Bun.spawn([buf, "curl", "--schema", join(REPO, "proto"), "--data", "{}", `${server.url}/${SERVICE}/WatchServices`], { stdout: "pipe", stderr: "pipe" });
      const reader = proc.stdout.getReader();
      let text = "";
      const read = async (until: string) => {
        while (!text.includes(until)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`buf curl ended before "${until}": ${text}`);
          text += new TextDecoder().decode(value);
        }
      };
      await read("CHANGE_TYPE_SNAPSHOT");
      await client.register({ service: { componentId: "after", serviceType: ServiceType.SOURCE } });
      await read("CHANGE_TYPE_REGISTERED");
      expect(text).toContain('"componentId": "before"');
      await read('"componentId": "after"');
      proc.kill();
      await proc.exited;
    });
  });

  for (const protocol of ["connect-json", "grpc-web"] as Protocol[]) {
    test(`WatchServices over ${protocol}: the current state, then every change, filtered`, async () => {
      await withServer({ ttlMs: 300, evictAfterMs: 600, heartbeatIntervalMs: 100 }, async (server) => {
        const client = flowctlClient(server.url, protocol);
        const existing = await client.register({ service: { componentId: "src", serviceType: ServiceType.SOURCE, outputEventTypes: ["stellar.ledger.v1"] } });
        const abort = new AbortController();
        const messages: WatchServicesResponse[] = [];
        const watching = (async () => {
          for await (const message of client.watchServices({ eventType: "stellar.ledger.v1" }, { signal: abort.signal })) messages.push(message);
        })().catch((error) => {
          if (ConnectError.from(error).code !== Code.Canceled) throw error;
        });
        await waitFor("the snapshot", () => (messages.length >= 1 ? true : undefined));
        expect(messages[0]!.change).toBe(ChangeType.SNAPSHOT);
        expect(messages[0]!.services.map((s) => s.service?.serviceId)).toEqual([existing.serviceId]);

        await client.register({ service: { componentId: "unrelated-sink", serviceType: ServiceType.SINK } }); // filtered out
        const p = await client.register({ service: { componentId: "proc", serviceType: ServiceType.PROCESSOR, inputEventTypes: ["stellar_ledger_service.StellarLedger"] } });
        await client.heartbeat({ serviceId: p.serviceId, metrics: { current_ledger: 9 } });
        await client.unregister({ serviceId: p.serviceId });
        // the source stops its heartbeats: unhealthy after the TTL, evicted later
        const kinds = () => messages.slice(1).map((m) => `${ChangeType[m.change]} ${m.service?.service?.componentId} ${HealthStatus[m.service!.status]}`);
        await waitFor("the eviction", () => (kinds().some((k) => k.startsWith("EVICTED")) ? true : undefined), 5000);
        abort.abort();
        await watching;
        expect(kinds()).toEqual([
          "REGISTERED proc HEALTHY",
          "UPDATED proc HEALTHY",
          "UNREGISTERED proc HEALTHY",
          "UPDATED src UNHEALTHY",
          "EVICTED src UNHEALTHY",
        ]);
      });
    });
  }

  test("a silent service turns unhealthy after the TTL and is evicted after the eviction time", async () => {
    await withServer({ ttlMs: 200, evictAfterMs: 500, heartbeatIntervalMs: 50 }, async (server) => {
      const client = flowctlClient(server.url);
      const { serviceId } = await client.register({ service: { componentId: "quiet", serviceType: ServiceType.SINK } });
      await Bun.sleep(300);
      expect((await client.getServiceStatus({ serviceId })).status?.status).toBe(HealthStatus.UNHEALTHY);
      expect((await client.discoverServices({ eventType: "stellar.ttp_event.v1" })).services).toEqual([]);
      expect((await client.getPipelineHealth({})).status).toBe(HealthStatus.UNHEALTHY);
      expect((await client.heartbeat({ serviceId })).status).toBe(HealthStatus.HEALTHY); // back to healthy
      await Bun.sleep(650);
      expect(await codeOf(client.getServiceStatus({ serviceId }))).toBe(Code.NotFound);
      expect(await codeOf(client.heartbeat({ serviceId }))).toBe(Code.NotFound); // the client registers again
    });
  });

  test("a restarted flowctl keeps its registry (SQLite file)", async () => {
    const dbPath = join(work, "restart", "flowctl.sqlite");
    const { serviceId, port } = await withServer({ dbPath }, async (server) => {
      const client = flowctlClient(server.url);
      const registered = await client.register({ service: sourceInfo });
      await client.heartbeat({ serviceId: registered.serviceId, metrics: { current_ledger: 30822020 } });
      return { serviceId: registered.serviceId, port: Number(new URL(server.url).port) };
    });
    await withServer({ dbPath, port }, async (server) => {
      const client = flowctlClient(server.url);
      const status = (await client.getServiceStatus({ serviceId })).status!;
      expect(status.service?.metadata).toEqual(sourceInfo.metadata);
      expect(status.metrics).toEqual({ current_ledger: 30822020 });
      expect((await client.heartbeat({ serviceId })).status).toBe(HealthStatus.HEALTHY); // no NOT_FOUND
      expect((await client.listServices({})).services).toHaveLength(1);
    });
  });

  test("with FLOWCTL_TOKEN, requests without the bearer token are refused (Unauthenticated); reads can be opened", async () => {
    await withServer({ token: "s3cret" }, async (server) => {
      const anonymous = flowctlClient(server.url);
      const wrong = flowctlClient(server.url, "connect-json", "guess");
      const authorized = flowctlClient(server.url, "grpc-web", "s3cret");
      const noToken = await errorOf(anonymous.register({ service: sourceInfo }));
      expect(noToken.code).toBe(Code.Unauthenticated);
      expect(noToken.rawMessage).toBe("Register needs an Authorization: Bearer token");
      expect(await codeOf(wrong.register({ service: sourceInfo }))).toBe(Code.Unauthenticated);
      expect(await codeOf(anonymous.listServices({}))).toBe(Code.Unauthenticated);
      const { serviceId } = await authorized.register({ service: sourceInfo });
      expect(await codeOf(anonymous.heartbeat({ serviceId }))).toBe(Code.Unauthenticated);
      expect(await codeOf(anonymous.unregister({ serviceId }))).toBe(Code.Unauthenticated);
      expect(await codeOf(authorized.heartbeat({ serviceId }))).toBe("ok");
      expect((await authorized.listServices({})).services).toHaveLength(1);
    });
    await withServer({ token: "s3cret", openReads: true }, async (server) => {
      const anonymous = flowctlClient(server.url);
      expect(await codeOf(anonymous.register({ service: sourceInfo }))).toBe(Code.Unauthenticated);
      expect(await codeOf(anonymous.listServices({}))).toBe("ok");
      expect(await codeOf(anonymous.getPipelineHealth({}))).toBe("ok");
      expect(await codeOf(anonymous.discoverServices({ eventType: "stellar.ledger.v1" }))).toBe("ok");
      const curl = await bufCurl(server.url, "Register", { service: { serviceType: "SERVICE_TYPE_SINK" } }, ["-H", "Authorization: Bearer s3cret"]);
      expect(curl.json.serviceId).toMatch(/^sink-/);
    });
  });

  test("CORS: allowed origins get Connect's headers, others none", async () => {
    await withServer({ corsOrigins: ["http://localhost:5173"] }, async (server) => {
      const url = `${server.url}/${SERVICE}/ListServices`;
      const preflight = await fetch(url, {
        method: "OPTIONS",
        headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,connect-protocol-version,authorization" },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
      const allowed = preflight.headers.get("access-control-allow-headers")!.toLowerCase();
      for (const header of ["content-type", "connect-protocol-version", "x-grpc-web", "authorization"]) expect(allowed).toContain(header);
      expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");

      const call = await fetch(url, { method: "POST", headers: { Origin: "http://localhost:5173", "Content-Type": "application/json" }, body: "{}" });
      expect(call.status).toBe(200);
      expect(call.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
      expect(call.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("grpc-status");

      const other = await fetch(url, { method: "POST", headers: { Origin: "http://evil.example", "Content-Type": "application/json" }, body: "{}" });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    });
    await withServer({}, async (server) => {
      const call = await fetch(`${server.url}/${SERVICE}/ListServices`, { method: "POST", headers: { Origin: "http://localhost:5173", "Content-Type": "application/json" }, body: "{}" });
      expect(call.headers.get("access-control-allow-origin")).toBeNull(); // no allowlist: no CORS
    });
  });

  test("malformed or oversized requests get InvalidArgument naming the field; the server stays up", async () => {
    await withServer({ maxRequestBytes: 64 * 1024 }, async (server) => {
      const client = flowctlClient(server.url);
      const bad = async (call: Promise<unknown>, message: string) => {
        const error = await errorOf(call);
        expect(error.code).toBe(Code.InvalidArgument);
        expect(error.rawMessage).toContain(message);
      };
      await bad(client.register({}), "service: required");
      await bad(client.register({ service: { componentId: "x" } }), "service.service_type: required");
      await bad(client.register({ service: { serviceType: 9 as ServiceType } }), "service.service_type: unknown service type 9");
      await bad(client.register({ service: { serviceType: ServiceType.SOURCE, componentId: "x".repeat(200) } }), "service.component_id: at most 128 characters, got 200");
      await bad(client.register({ service: { serviceType: ServiceType.SOURCE, healthEndpoint: "not a url" } }), "service.health_endpoint: not a URL");
      await bad(client.register({ service: { serviceType: ServiceType.SOURCE, outputEventTypes: [""] } }), "service.output_event_types[0]: required");
      await bad(client.register({ service: { serviceType: ServiceType.SOURCE, inputEventTypes: Array(40).fill("a") } }), "service.input_event_types: at most 32 entries, got 40");
      const metadata = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
      await bad(client.register({ service: { serviceType: ServiceType.SOURCE, metadata } }), "service.metadata: at most 64 entries, got 65");
      await bad(client.register({ service: { serviceType: ServiceType.SOURCE, metadata: { note: "x".repeat(5000) } } }), 'service.metadata["note"]: at most 4096 characters');
      await bad(client.heartbeat({ serviceId: "" }), "service_id: required");
      await bad(client.heartbeat({ serviceId: "a", metrics: { bad: Number.NaN } }), 'metrics["bad"]: must be a finite number');
      await bad(client.discoverServices({}), "event_type: required");
      await bad(client.listServices({ serviceType: 77 as ServiceType }), "service_type: unknown service type 77");

      const post = (body: string) => fetch(`${server.url}/${SERVICE}/Register`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      const malformed = await post("{not json");
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { code: string }).code).toBe("invalid_argument");
      const wrongType = await post(JSON.stringify({ service: { serviceType: "SERVICE_TYPE_BOGUS" } }));
      expect(((await wrongType.json()) as { code: string }).code).toBe("invalid_argument");
      const huge = await post(JSON.stringify({ service: { serviceType: "SERVICE_TYPE_SOURCE", endpoint: "x".repeat(100_000) } }));
      expect(huge.status).toBeGreaterThanOrEqual(400);
      expect(((await huge.json()) as { code: string }).code).toBe("resource_exhausted");
      const wrongPath = await fetch(`${server.url}/${SERVICE}/NoSuchMethod`, { method: "POST", body: "{}" });
      expect(wrongPath.status).toBe(404);

      // still serving
      expect((await client.listServices({})).services).toEqual([]);
      const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: "healthy", component: "flowctl", services: 0 });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      for (const service_type of ["source", "processor", "sink", "pipeline"]) for (const status of ["healthy", "unhealthy"]) expect(valueOf(metrics, "flowctl_services", { service_type, status })).toBe(0);
      // every refused call counted under its method and code, whoever refused it (flowctl's checks, connect-es, the size cap)
      const handled = (rpc_method: string, rpc_code: string) => samplesOf(metrics, "flowctl_rpc_handled_total", { rpc_service: SERVICE, rpc_method, rpc_code })[0]?.value ?? 0;
      expect(handled("Register", "invalid_argument")).toBe(11); // the nine above, "{not json" (refused by connect-es), SERVICE_TYPE_BOGUS
      expect(handled("ListServices", "invalid_argument")).toBe(1);
      expect(handled("Register", "resource_exhausted")).toBe(1);
      expect(handled("Heartbeat", "invalid_argument")).toBe(2);
      expect(handled("DiscoverServices", "invalid_argument")).toBe(1);
      expect(handled("ListServices", "ok")).toBe(1);
      expect(valueOf(metrics, "flowctl_rpc_duration_seconds_count", { rpc_service: SERVICE, rpc_method: "ListServices" })).toBe(2); // refused or answered, each timed
      expect(valueOf(metrics, "flowctl_watches_open", { kind: "watch" })).toBe(0);
      expect(samplesOf(metrics, "flowctl_build_info", { version: "0.1.0" })).toHaveLength(1);
      expect(valueOf(metrics, "process_resident_memory_bytes")).toBeGreaterThan(0);
      if (promtool() || process.env.CI) expect(await promtoolProblems(metrics)).toBe("");
    });
  });
});
