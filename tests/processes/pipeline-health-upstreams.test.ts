// GetPipelineHealth names each stage's upstream: the healthy producers of what it consumes.
import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { ServiceInfoSchema, ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { pipelineHealth } from "../../src/flowctl/pipeline-health.ts";
import { ServiceRegistry } from "../../src/flowctl/registry.ts";

describe("pipelineHealth upstream endpoints", () => {
  test("source none, processor the sources' stream endpoints, sink the processors'; an unhealthy producer is left out", () => {
    let now = 0;
    const registry = new ServiceRegistry({ ttlMs: 1000, evictAfterMs: 10_000, now: () => now });
    const add = (componentId: string, serviceType: ServiceType, inputs: string[], outputs: string[], endpoint: string) =>
      registry.register(create(ServiceInfoSchema, { componentId, serviceType, inputEventTypes: inputs, outputEventTypes: outputs, endpoint })).info.serviceId;
    add("source-a", ServiceType.SOURCE, [], ["stellar.ledger.v1"], "http://a:1/v1/ledgers");
    now = 900;
    const b = add("source-b", ServiceType.SOURCE, [], ["stellar.ledger.v1"], "http://b:1/v1/ledgers");
    const p = add("processor", ServiceType.PROCESSOR, ["stellar.ledger.v1"], ["stellar.ttp_event.v1"], "http://p:1/v1/events");
    const k = add("sink", ServiceType.SINK, ["stellar.ttp_event.v1"], [], "http://k:1");
    expect(pipelineHealth(registry.list()).stages.map((s) => s.upstreamEndpoints)).toEqual([[], ["http://a:1/v1/ledgers", "http://b:1/v1/ledgers"], ["http://p:1/v1/events"]]);
    now = 1500; // source-a silent past the TTL
    for (const id of [b, p, k]) registry.heartbeat(id, {});
    expect(pipelineHealth(registry.list()).stages[1]!.upstreamEndpoints).toEqual(["http://b:1/v1/ledgers"]);
  });
});
