// flowctl drops a client that stalls mid-request (it does not hold a connection forever), while a
// WatchServices stream that has nothing to say for longer than the idle timeout stays open.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ChangeType, ServiceType, type WatchServicesResponse } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import type { FlowctlServer } from "../../src/flowctl/serve-flowctl.ts";
import { flowctlClient, startTestFlowctl, waitFor } from "../support/flowctl.ts";

let server: FlowctlServer;
beforeAll(() => {
  server = startTestFlowctl({ idleTimeoutSeconds: 1 });
});
afterAll(async () => {
  await server.stop();
});

test("a request whose body never comes is cut off after the idle timeout", async () => {
  const { hostname, port } = new URL(server.url);
  let closedAt = 0;
  const started = Date.now();
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data() {},
      close() {
        closedAt = Date.now();
      },
    },
  });
  socket.write(`POST /flowctl.v1.ControlPlaneService/Register HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"serv`);
  await waitFor("the server to close the stalled connection", () => (closedAt > 0 ? true : undefined), 8_000);
  expect(closedAt - started).toBeGreaterThanOrEqual(900);
}, 20_000);

test("a quiet WatchServices stream outlives the idle timeout and still gets the next change", async () => {
  const client = flowctlClient(server.url, "connect-binary");
  const abort = new AbortController();
  const messages: WatchServicesResponse[] = [];
  const watching = (async () => {
    for await (const message of client.watchServices({}, { signal: abort.signal })) messages.push(message);
  })().catch(() => undefined);
  await waitFor("the snapshot", () => (messages.length >= 1 ? true : undefined));
  await Bun.sleep(6_000); // well past the idle timeout (Bun checks it every few seconds), nothing sent
  await client.register({ service: { componentId: "late", serviceType: ServiceType.SINK } });
  await waitFor("the change", () => (messages.length >= 2 ? true : undefined), 5_000);
  expect(messages[1]!.change).toBe(ChangeType.REGISTERED);
  abort.abort();
  await watching;
}, 20_000);
