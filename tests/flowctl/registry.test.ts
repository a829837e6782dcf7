// The registry on a fake clock: registration, heartbeats, TTL, eviction, filters, discovery, watch
// and pipeline health; with a SQLite store, a new registry over the same file keeps everything.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { HealthStatus, ServiceInfoSchema, ServiceType, type ServiceInfo } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { pipelineHealth } from "../../src/flowctl/pipeline-health.ts";
import { RegistrationRefused, ServiceRegistry, type RegistryChange } from "../../src/flowctl/registry.ts";
import { SqliteRegistryStore } from "../../src/flowctl/store/sqlite-registry-store.ts";

const scratch: string[] = [];
afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const info = (componentId: string, serviceType: ServiceType, input: string[] = [], output: string[] = []): ServiceInfo =>
  create(ServiceInfoSchema, { componentId, serviceType, inputEventTypes: input, outputEventTypes: output });

const source = () => info("source", ServiceType.SOURCE, [], ["stellar_ledger_service.StellarLedger"]);
const processor = () => info("processor", ServiceType.PROCESSOR, ["stellar.ledger.v1"], ["ttp_event_service.TTPEvent"]);
const sink = () => info("sink", ServiceType.SINK, ["stellar.ttp_event.v1"]);

describe("ServiceRegistry", () => {
  test("registers with a fresh id and canonical event types, heartbeats keep it healthy", () => {
    const time = clock();
    const registry = new ServiceRegistry({ ttlMs: 30_000, evictAfterMs: 300_000, now: time.now });
    const entry = registry.register(source());
    expect(entry.info.serviceId).toMatch(/^source-[0-9a-f]{8}$/);
    expect(entry.info.outputEventTypes).toEqual(["stellar.ledger.v1"]);
    time.advance(10_000);
    expect(registry.heartbeat(entry.info.serviceId, { current_ledger: 5 })?.metrics).toEqual({ current_ledger: 5 });
    expect(registry.get(entry.info.serviceId)?.lastHeartbeat).toBe(time.now());
    expect(registry.heartbeat("unknown", {})).toBeUndefined();
  });

  test("a silent service turns unhealthy after the TTL, healthy again on a heartbeat, and is evicted later", () => {
    const time = clock();
    const registry = new ServiceRegistry({ ttlMs: 30_000, evictAfterMs: 120_000, now: time.now });
    const changes: string[] = [];
    registry.watch((change) => changes.push(`${change.kind}:${HealthStatus[change.entry.status]}`));
    const id = registry.register(source()).info.serviceId;
    time.advance(30_000);
    expect(registry.get(id)?.status).toBe(HealthStatus.HEALTHY); // exactly the TTL is still alive
    time.advance(1);
    expect(registry.get(id)?.status).toBe(HealthStatus.UNHEALTHY);
    registry.heartbeat(id, {});
    expect(registry.get(id)?.status).toBe(HealthStatus.HEALTHY);
    time.advance(120_001);
    registry.sweep();
    expect(registry.get(id)).toBeUndefined();
    expect(registry.heartbeat(id, {})).toBeUndefined();
    expect(changes).toEqual(["registered:HEALTHY", "updated:UNHEALTHY", "updated:HEALTHY", "evicted:HEALTHY"]);
  });

  test("a restart (same component_id, no id) is added next to a live registration, and replaces a silent one; a known id is kept", () => {
    const time = clock();
    const registry = new ServiceRegistry({ ttlMs: 1000, evictAfterMs: 60_000, now: time.now });
    const first = registry.register(source()).info.serviceId;
    time.advance(1);
    const second = registry.register(source()).info.serviceId;
    expect(second).not.toBe(first);
    // the first is alive: nobody may replace it by naming its component
    expect(registry.list().map((e) => e.info.serviceId)).toEqual([first, second]);
    time.advance(600);
    registry.heartbeat(second, {});
    time.advance(600); // first silent past the TTL: crashed
    expect(registry.get(first)?.status).toBe(HealthStatus.UNHEALTHY);
    const third = registry.register(source()).info.serviceId;
    expect(registry.list().map((e) => e.info.serviceId)).toEqual([second, third]);
    const again = registry.register(create(ServiceInfoSchema, { ...source(), serviceId: "chosen-id" }));
    expect(again.info.serviceId).toBe("chosen-id");
    expect(registry.list().map((e) => e.info.serviceId)).toEqual([second, third, "chosen-id"]);
  });

  test("a live registration cannot be taken over by its id; a silent one can, by its own component; NOT_FOUND re-registration keeps the id", () => {
    const time = clock();
    const registry = new ServiceRegistry({ ttlMs: 1000, evictAfterMs: 5000, now: time.now });
    const a = registry.register(source()).info.serviceId;
    expect(() => registry.register(create(ServiceInfoSchema, { ...source(), serviceId: a, endpoint: "http://elsewhere" }))).toThrow(
      new RegistrationRefused(`service.service_id: "${a}" is registered and alive; a live registration is replaced only after it has been silent for the TTL (1000 ms) or unregistered`, "taken"),
    );
    expect(() => registry.register(create(ServiceInfoSchema, { ...sink(), serviceId: a }))).toThrow(`service.service_id: "${a}" belongs to component "source"`);
    expect(registry.get(a)?.info.endpoint).toBe("");
    time.advance(1001); // silent: the same component (a paused instance coming back) may take it over
    expect(registry.register(create(ServiceInfoSchema, { ...source(), serviceId: a, endpoint: "http://back" })).info.endpoint).toBe("http://back");
    time.advance(5001); // evicted: its heartbeat hears NOT_FOUND, and it registers again with its id
    expect(registry.heartbeat(a, {})).toBeUndefined();
    expect(registry.register(create(ServiceInfoSchema, { ...source(), serviceId: a })).info.serviceId).toBe(a);
    expect(registry.list().map((e) => e.info.serviceId)).toEqual([a]);
  });

  test("at most maxServices registrations; replacing a silent one still fits; one more is refused", () => {
    const time = clock();
    const registry = new ServiceRegistry({ ttlMs: 1000, evictAfterMs: 60_000, now: time.now, maxServices: 2 });
    registry.register(source());
    const p = registry.register(processor()).info.serviceId;
    expect(() => registry.register(sink())).toThrow(new RegistrationRefused("flowctl holds 2 services, the most it accepts (--max-services 2): unregister one, or wait for silent ones to be evicted", "full"));
    time.advance(1001);
    registry.heartbeat(p, {});
    registry.register(source()); // the silent source is replaced: still 2
    expect(registry.list().map((e) => e.info.componentId)).toEqual(["processor", "source"]);
    registry.unregister(p);
    registry.register(sink());
    expect(registry.list()).toHaveLength(2);
  });

  test("lists by type and event type (aliases too); discovers healthy producers only", () => {
    const time = clock();
    const registry = new ServiceRegistry({ ttlMs: 30_000, evictAfterMs: 300_000, now: time.now });
    registry.register(source());
    time.advance(1);
    const p = registry.register(processor());
    time.advance(1);
    registry.register(sink());
    const ids = (entries: { info: ServiceInfo }[]) => entries.map((e) => e.info.componentId);
    expect(ids(registry.list())).toEqual(["source", "processor", "sink"]);
    expect(ids(registry.list({ serviceType: ServiceType.SINK }))).toEqual(["sink"]);
    expect(ids(registry.list({ eventType: "stellar.ledger.v1" }))).toEqual(["source", "processor"]);
    expect(ids(registry.list({ eventType: "ttp_event_service.TTPEvent" }))).toEqual(["processor", "sink"]);
    expect(ids(registry.list({ serviceType: ServiceType.PROCESSOR, eventType: "stellar.ttp_event.v1" }))).toEqual(["processor"]);
    expect(ids(registry.discover("stellar.ttp_event.v1"))).toEqual(["processor"]);
    expect(ids(registry.discover("stellar_ledger_service.StellarLedger"))).toEqual(["source"]);
    time.advance(20_000);
    registry.heartbeat(p.info.serviceId, {});
    time.advance(20_000); // source and sink are now past the TTL, the processor is not
    expect(ids(registry.discover("stellar.ledger.v1"))).toEqual([]);
    expect(ids(registry.discover("stellar.ttp_event.v1"))).toEqual(["processor"]);
  });

  test("watchers see each change; a throwing watcher does not stop the others", () => {
    const registry = new ServiceRegistry({ ttlMs: 1000, evictAfterMs: 1000 });
    const seen: RegistryChange["kind"][] = [];
    registry.watch(() => {
      throw new Error("broken watcher");
    });
    const stop = registry.watch((change) => seen.push(change.kind));
    const id = registry.register(source()).info.serviceId;
    registry.heartbeat(id, {});
    registry.unregister(id);
    stop();
    registry.register(sink());
    expect(seen).toEqual(["registered", "updated", "unregistered"]);
  });

  test("rejects a TTL or eviction time that cannot work", () => {
    expect(() => new ServiceRegistry({ ttlMs: 0, evictAfterMs: 10 })).toThrow("the heartbeat TTL must be positive");
    expect(() => new ServiceRegistry({ ttlMs: 1000, evictAfterMs: 10 })).toThrow("must be at least the heartbeat TTL");
  });

  test("a registry over the same SQLite file keeps registrations, metrics and heartbeat times", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowctl-registry-"));
    scratch.push(dir);
    const path = join(dir, "nested", "registry.sqlite");
    const time = clock();
    const store = new SqliteRegistryStore(path);
    const first = new ServiceRegistry({ ttlMs: 30_000, evictAfterMs: 300_000, now: time.now, store });
    const kept = first.register(create(ServiceInfoSchema, { ...source(), metadata: { network: "pubnet" }, maxInflight: 4 }));
    first.heartbeat(kept.info.serviceId, { current_ledger: 30822025, ledgers_per_second: 12.5 });
    const gone = first.register(sink()).info.serviceId;
    first.unregister(gone);
    store.close();

    time.advance(40_000); // flowctl was down past the TTL
    const reopened = new SqliteRegistryStore(path);
    const second = new ServiceRegistry({ ttlMs: 30_000, evictAfterMs: 300_000, now: time.now, store: reopened });
    const entries = second.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.info).toEqual(second.get(kept.info.serviceId)!.info);
    expect(entries[0]!.info.metadata).toEqual({ network: "pubnet" });
    expect(entries[0]!.info.maxInflight).toBe(4);
    expect(entries[0]!.metrics).toEqual({ current_ledger: 30822025, ledgers_per_second: 12.5 });
    expect(entries[0]!.status).toBe(HealthStatus.UNHEALTHY);
    expect(second.heartbeat(kept.info.serviceId, {})?.status).toBe(HealthStatus.HEALTHY); // no NOT_FOUND after a restart
    reopened.close();
  });
});

describe("pipelineHealth", () => {
  test("per stage: status, current ledger, lag behind the furthest stage, throughput", () => {
    const time = clock();
    const registry = new ServiceRegistry({ ttlMs: 30_000, evictAfterMs: 300_000, now: time.now });
    expect(pipelineHealth(registry.list()).status).toBe(HealthStatus.UNKNOWN);
    const s = registry.register(source()).info.serviceId;
    const p = registry.register(processor()).info.serviceId;
    const k = registry.register(sink()).info.serviceId;
    registry.heartbeat(s, { current_ledger: 120, ledgers_per_second: 10, events_per_second: 0 });
    registry.heartbeat(p, { current_ledger: 118, ledgers_per_second: 9, events_per_second: 500 });
    registry.heartbeat(k, { current_ledger: 100, ledgers_per_second: 8, events_per_second: 450 });
    const health = pipelineHealth(registry.list());
    expect(health.status).toBe(HealthStatus.HEALTHY);
    expect(
      health.stages.map((stage) => [ServiceType[stage.stage], HealthStatus[stage.status], stage.currentLedger, stage.lagLedgers, stage.ledgersPerSecond, stage.eventsPerSecond]),
    ).toEqual([
      ["SOURCE", "HEALTHY", 120n, 0n, 10, 0],
      ["PROCESSOR", "HEALTHY", 118n, 2n, 9, 500],
      ["SINK", "HEALTHY", 100n, 20n, 8, 450],
    ]);

    time.advance(25_000);
    registry.heartbeat(s, { current_ledger: 121 });
    registry.heartbeat(p, { current_ledger: 121 });
    time.advance(10_000); // the sink is silent past the TTL
    const degraded = pipelineHealth(registry.list());
    expect(degraded.status).toBe(HealthStatus.DEGRADED);
    expect(HealthStatus[degraded.stages[2]!.status]).toBe("UNHEALTHY");
    expect(degraded.stages[2]!.ledgersPerSecond).toBe(0); // an unhealthy service's rate is not counted
  });
});
