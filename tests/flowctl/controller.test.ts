// The component side: registers, heartbeats with metrics, registers again after NOT_FOUND, backs off
// while flowctl is away and comes back by itself, unregisters on stop, and never throws.
import { describe, expect, test } from "bun:test";
import { HealthStatus, ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { FlowctlController } from "../../src/flowctl/controller.ts";
import { flowctlClient, freePort, startTestFlowctl, waitFor } from "../support/flowctl.ts";
import { ManualClock } from "../support/manual-clock.ts";

const service = { componentId: "ttp-arrow-processor", serviceType: ServiceType.PROCESSOR, inputEventTypes: ["stellar.ledger.v1"], outputEventTypes: ["stellar.ttp_event.v1"] };

function controller(endpoint: string, extra: Partial<ConstructorParameters<typeof FlowctlController>[0]> = {}) {
  let ledger = 100;
  const log: string[] = [];
  const c = new FlowctlController({
    endpoint,
    heartbeatIntervalMs: 50,
    service,
    metrics: () => ({ current_ledger: ledger++, not_a_number: Number.NaN }),
    log: (line) => log.push(line),
    requestTimeoutMs: 1000,
    ...extra,
  });
  return { controller: c, log };
}

describe("FlowctlController", () => {
  test("registers, sends metrics with each heartbeat, and unregisters on stop", async () => {
    const server = startTestFlowctl({ heartbeatIntervalMs: 1000 });
    try {
      const { controller: c, log } = controller(server.url);
      expect(c.state).toMatchObject({ enabled: true, connected: false, serviceId: null });
      c.start();
      const id = await waitFor("registration", () => c.state.serviceId ?? undefined);
      const client = flowctlClient(server.url);
      const beat = await waitFor("a heartbeat with metrics", async () => {
        const status = (await client.getServiceStatus({ serviceId: id })).status!;
        return (status.metrics.current_ledger ?? 0) > 101 ? status : undefined;
      });
      expect(beat.metrics.not_a_number).toBeUndefined(); // non-finite values are not sent
      expect(beat.service?.componentId).toBe("ttp-arrow-processor");
      expect(c.state.connected).toBe(true);
      expect(c.state.lastHeartbeat).toBeInstanceOf(Date);
      await c.stop();
      expect((await client.listServices({})).services).toEqual([]);
      expect(log).toContain(`flowctl: ttp-arrow-processor unregistered (${id})`);
    } finally {
      await server.stop();
    }
  });

  test("a full flowctl refuses the registration: the log says refused and why, and it registers once there is room", async () => {
    const server = startTestFlowctl({ maxServices: 1 });
    try {
      const client = flowctlClient(server.url);
      const { serviceId: other } = await client.register({ service: { componentId: "other", serviceType: ServiceType.SINK } });
      const { controller: c, log } = controller(server.url, { initialBackoffMs: 20, maxBackoffMs: 100 });
      c.start();
      await waitFor("the refusal in the log", () => log.find((line) => line.includes("refused ttp-arrow-processor")));
      expect(log.find((line) => line.includes("refused"))).toContain("--max-services 1");
      expect(c.state.serviceId).toBeNull();
      await client.unregister({ serviceId: other });
      await waitFor("the registration", () => c.state.serviceId ?? undefined);
      await c.stop();
    } finally {
      await server.stop();
    }
  });

  test("flowctl down at start: start() returns at once, retries with backoff, registers when flowctl comes", async () => {
    const port = freePort();
    const clock = new ManualClock();
    const { controller: c, log } = controller(`http://127.0.0.1:${port}`, { initialBackoffMs: 20, maxBackoffMs: 200, clock });
    expect(c.start()).toBeUndefined(); // returns at once: the registration goes on in the background
    expect(c.state.serviceId).toBeNull();
    // each failed attempt waits twice as long as the one before (with up to 20% less jitter), up to the maximum
    for (const backoff of [20, 40, 80, 160, 200, 200]) {
      const wait = await clock.nextSleep();
      expect(wait).toBeGreaterThanOrEqual(backoff * 0.8);
      expect(wait).toBeLessThanOrEqual(backoff);
      expect(c.state).toMatchObject({ connected: false, serviceId: null });
      expect(c.state.lastError).not.toBeNull();
      clock.advance(wait);
    }
    expect(log.filter((line) => line.includes("unreachable"))).toHaveLength(1); // logged once, not at every retry
    const server = startTestFlowctl({ port });
    try {
      clock.advance(await clock.nextSleep());
      const id = await waitFor("registration once flowctl is up", () => c.state.serviceId ?? undefined, 5000);
      expect((await flowctlClient(server.url).listServices({})).services.map((s) => s.service?.serviceId)).toEqual([id]);
      await c.stop();
    } finally {
      await server.stop();
    }
  });

  test("after NOT_FOUND (flowctl lost its registry) it registers again, keeping its id", async () => {
    const port = freePort();
    let server = startTestFlowctl({ port });
    const { controller: c, log } = controller(server.url, { maxBackoffMs: 100 });
    try {
      c.start();
      const id = await waitFor("registration", () => c.state.serviceId ?? undefined);
      await server.stop();
      server = startTestFlowctl({ port }); // in memory: it knows nobody
      const client = flowctlClient(server.url);
      const back = await waitFor("the registration again", async () => {
        const services = (await client.listServices({})).services;
        return services.length === 1 ? services[0] : undefined;
      });
      expect(back.service?.serviceId).toBe(id);
      expect(back.status).toBe(HealthStatus.HEALTHY);
      expect(log.some((line) => line.includes("is unknown to flowctl") || line.includes("reachable again"))).toBe(true);
      await c.stop();
    } finally {
      await server.stop();
    }
  });

  test("sends the bearer token; stop() never throws, even with flowctl gone", async () => {
    const server = startTestFlowctl({ token: "t0ken" });
    const { controller: c } = controller(server.url, { token: "t0ken" });
    c.start();
    await waitFor("registration with the token", () => c.state.serviceId ?? undefined);
    await server.stop();
    await c.stop(); // unregister fails quietly
    await c.stop(); // and twice is harmless

    const refused = startTestFlowctl({ token: "t0ken" });
    try {
      const { controller: noToken } = controller(refused.url);
      noToken.start();
      await waitFor("the refusal", () => noToken.state.lastError ?? undefined);
      expect(noToken.state.lastError).toContain("Bearer token");
      expect(noToken.state.serviceId).toBeNull();
      await noToken.stop();
    } finally {
      await refused.stop();
    }
  });
});
