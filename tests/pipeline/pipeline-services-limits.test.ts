// The in-process pipeline's component servers read their token and limits from the environment:
// with STELLAR_FLOW_API_TOKEN every route but /livez wants it; STELLAR_FLOW_IDLE_TIMEOUT drops a
// stalled request; a bad value stops startup naming the variable.
import { expect, test } from "bun:test";
import { ConfigError } from "../../src/flowctl/config.ts";
import { startPipelineServices } from "../../src/pipeline/pipeline-services.ts";
import { serverLimitsFromEnv } from "../../src/http/server-limits.ts";
import { waitFor } from "../support/flowctl.ts";
import { stalledRequest } from "../support/stalled-requests.ts";

const start = (env: Record<string, string>) =>
  startPipelineServices({
    flowctl: { kind: "off" },
    configFile: null,
    env,
    healthHost: "127.0.0.1",
    healthPorts: [0, 0, 0],
    metadata: { source: {}, processor: {}, sink: {} },
    targetLedger: 10,
    log: () => {},
  });

test("source, processor and sink servers: the token on every route but /livez; idle connections dropped", async () => {
  const services = await start({ STELLAR_FLOW_API_TOKEN: "comp-t0ken", STELLAR_FLOW_IDLE_TIMEOUT: "1s" });
  try {
    for (const component of [services.source, services.processor, services.sink]) {
      const url = component.baseUrl!;
      for (const path of ["/health", "/metrics"]) {
        expect([component.componentId, path, (await fetch(`${url}${path}`)).status]).toEqual([component.componentId, path, 401]);
        expect((await fetch(`${url}${path}`, { headers: { authorization: "Bearer comp-t0ken" } })).status).toBeLessThan(500);
      }
      expect(await (await fetch(`${url}/livez`)).text()).toBe("ok");
    }
    const stalled = await stalledRequest(services.source.baseUrl!, "/health");
    await waitFor("the source's server to drop the stalled request", () => (stalled.isClosed() ? true : undefined), 15_000);
  } finally {
    await services.stop();
  }
}, 20_000);

test("limits from the environment: defaults, values, and a bad one naming its variable", async () => {
  expect(serverLimitsFromEnv({})).toEqual({ idleTimeoutSeconds: 30, maxRequestBytes: 131072, maxEventStreams: 64, maxDataStreams: 8, maxFilterValues: 100 });
  expect(
    serverLimitsFromEnv({ STELLAR_FLOW_IDLE_TIMEOUT: "2m", STELLAR_FLOW_MAX_REQUEST_BYTES: "4096", STELLAR_FLOW_MAX_EVENT_STREAMS: "5", STELLAR_FLOW_MAX_DATA_STREAMS: "2", STELLAR_FLOW_MAX_FILTER_VALUES: "7" }),
  ).toEqual({ idleTimeoutSeconds: 120, maxRequestBytes: 4096, maxEventStreams: 5, maxDataStreams: 2, maxFilterValues: 7 });
  expect(() => serverLimitsFromEnv({ STELLAR_FLOW_IDLE_TIMEOUT: "0s" })).toThrow(new ConfigError('STELLAR_FLOW_IDLE_TIMEOUT must be whole seconds from 1s to 255s, got "0s"'));
  expect(() => serverLimitsFromEnv({ STELLAR_FLOW_IDLE_TIMEOUT: "30" })).toThrow("STELLAR_FLOW_IDLE_TIMEOUT: \"30\" is not a duration");
  expect(() => serverLimitsFromEnv({ STELLAR_FLOW_MAX_DATA_STREAMS: "0" })).toThrow('STELLAR_FLOW_MAX_DATA_STREAMS must be an integer from 1 to 10000, got "0"');
  await expect(start({ STELLAR_FLOW_MAX_EVENT_STREAMS: "lots" })).rejects.toThrow('STELLAR_FLOW_MAX_EVENT_STREAMS must be an integer from 1 to 100000, got "lots"');
});
