// A service_id names one component: registering again with it keeps it (after NOT_FOUND, or once
// silent), but a registration of another component cannot take it over and replace that
// component's entry, and nobody can replace a live one by naming its id.
import { expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { errorOf, flowctlClient, startTestFlowctl } from "../support/flowctl.ts";

test("Register with another component's service_id, or a live one's, is AlreadyExists; the owner may register again with it once silent", async () => {
  const server = startTestFlowctl({ ttlMs: 300, heartbeatIntervalMs: 100, evictAfterMs: 60_000 });
  try {
    const client = flowctlClient(server.url);
    const { serviceId } = await client.register({ service: { componentId: "sink-a", serviceType: ServiceType.SINK } });
    const error = await client.register({ service: { serviceId, componentId: "intruder", serviceType: ServiceType.SOURCE } }).then(
      () => null,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.AlreadyExists);
    expect(error?.rawMessage).toBe(`service.service_id: "${serviceId}" belongs to component "sink-a"`);
    const owner = (await client.getServiceStatus({ serviceId })).status?.service;
    expect([owner?.componentId, owner?.serviceType]).toEqual(["sink-a", ServiceType.SINK]);

    const live = await errorOf(client.register({ service: { serviceId, componentId: "sink-a", serviceType: ServiceType.SINK, endpoint: "http://127.0.0.1:6666" } }));
    expect([live.code, live.rawMessage]).toEqual([Code.AlreadyExists, expect.stringContaining(`"${serviceId}" is registered and alive`)]);
    await Bun.sleep(400); // silent past the TTL
    const again = await client.register({ service: { serviceId, componentId: "sink-a", serviceType: ServiceType.SINK, endpoint: "http://127.0.0.1:8090" } });
    expect(again.serviceId).toBe(serviceId);
    expect((await client.listServices({})).services.map((s) => [s.service?.serviceId, s.service?.endpoint])).toEqual([[serviceId, "http://127.0.0.1:8090"]]);
  } finally {
    await server.stop();
  }
});
