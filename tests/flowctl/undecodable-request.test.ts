// A protobuf binary body that does not decode is the client's fault: InvalidArgument naming the
// message, never Internal (connect-es's own answer), over Connect unary, Connect streaming and
// gRPC-Web; the server keeps serving. Clients whose fetch corrupts the body see the same code.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { ControlPlaneService, ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import type { FlowctlServer } from "../../src/flowctl/serve-flowctl.ts";
import { errorOf, flowctlClient, startTestFlowctl } from "../support/flowctl.ts";

const SERVICE = "flowctl.v1.ControlPlaneService";
// field number 0 is not a protobuf tag: no message decodes from these bytes
const GARBAGE = new Uint8Array([0x07, 0x01]);

function envelope(payload: Uint8Array, flags = 0): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(5 + payload.byteLength);
  frame[0] = flags;
  new DataView(frame.buffer).setUint32(1, payload.byteLength);
  frame.set(payload, 5);
  return frame;
}

let server: FlowctlServer;
beforeAll(() => {
  server = startTestFlowctl();
});
afterAll(async () => {
  await server.stop();
});

const post = (method: string, contentType: string, body: Uint8Array<ArrayBuffer>) =>
  fetch(`${server.url}/${SERVICE}/${method}`, { method: "POST", headers: { "content-type": contentType }, body });

/** A fetch that sends `body` in place of whatever the transport serialized. */
const corrupting = (body: Uint8Array<ArrayBuffer>): typeof fetch =>
  Object.assign((input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, body }), { preconnect: fetch.preconnect });

describe("undecodable protobuf binary requests", () => {
  test("Connect unary: HTTP 400 invalid_argument naming the message", async () => {
    const response = await post("Register", "application/proto", GARBAGE);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toContain("not a flowctl.v1.RegisterRequest in protobuf binary");
  });

  test("Connect streaming (WatchServices): an end-of-stream frame with invalid_argument", async () => {
    const response = await post("WatchServices", "application/connect+proto", envelope(GARBAGE));
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes[0]).toBe(0b10); // end-of-stream flag
    const endStream = JSON.parse(new TextDecoder().decode(bytes.subarray(5))) as { error: { code: string; message: string } };
    expect(endStream.error.code).toBe("invalid_argument");
    expect(endStream.error.message).toContain("flowctl.v1.WatchServicesRequest");
  });

  test("gRPC-Web: a trailers-only response with grpc-status 3; a valid first frame followed by garbage too", async () => {
    for (const body of [envelope(GARBAGE), new Uint8Array([...envelope(new Uint8Array()), ...envelope(GARBAGE)])]) {
      const response = await post("Heartbeat", "application/grpc-web+proto", body);
      expect(response.status).toBe(200);
      expect(response.headers.get("grpc-status")).toBe(String(Code.InvalidArgument));
      expect(decodeURIComponent(response.headers.get("grpc-message") ?? "")).toContain("not a flowctl.v1.HeartbeatRequest");
    }
  });

  test("clients see InvalidArgument over each protocol, and the server keeps serving", async () => {
    const connect = createClient(ControlPlaneService, createConnectTransport({ baseUrl: server.url, useBinaryFormat: true, fetch: corrupting(GARBAGE) }));
    expect((await errorOf(connect.register({ service: { componentId: "x", serviceType: ServiceType.SOURCE } }))).code).toBe(Code.InvalidArgument);
    const grpcWeb = createClient(ControlPlaneService, createGrpcWebTransport({ baseUrl: server.url, useBinaryFormat: true, fetch: corrupting(envelope(GARBAGE)) }));
    expect((await errorOf(grpcWeb.listServices({}))).code).toBe(Code.InvalidArgument);
    const watch = createClient(ControlPlaneService, createConnectTransport({ baseUrl: server.url, useBinaryFormat: true, fetch: corrupting(envelope(GARBAGE)) }));
    const watchError = await errorOf((async () => {
      for await (const _ of watch.watchServices({})) break;
    })());
    expect(watchError.code).toBe(Code.InvalidArgument);

    // well-formed binary requests still go through, over both protocols
    for (const protocol of ["connect-binary", "grpc-web"] as const) {
      const client = flowctlClient(server.url, protocol);
      const { serviceId } = await client.register({ service: { componentId: `ok-${protocol}`, serviceType: ServiceType.SINK } });
      expect((await client.getServiceStatus({ serviceId })).status?.service?.componentId).toBe(`ok-${protocol}`);
    }
  });

  test("a binary body past the size limit is refused (ResourceExhausted) before it is all read", async () => {
    const small = startTestFlowctl({ maxRequestBytes: 64 * 1024 });
    try {
      const chunk = new Uint8Array(64 * 1024);
      const total = 64 * 1024 * 1024;
      let sent = 0;
      // no content-length: the server learns the size only by reading
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) return controller.close();
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${small.url}/${SERVICE}/Register`, { method: "POST", headers: { "content-type": "application/proto" }, body, duplex: "half" } as RequestInit);
      expect(response.status).toBe(429);
      expect(((await response.json()) as { code: string }).code).toBe("resource_exhausted");
      expect(sent).toBeLessThan(total / 2);
      // and the server still answers
      expect((await flowctlClient(small.url, "connect-binary").listServices({})).services).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});

describe("with a token, who may call is judged before the body is read", () => {
  let guarded: FlowctlServer;
  beforeAll(() => {
    guarded = startTestFlowctl({ token: "s3cret" });
  });
  afterAll(async () => {
    await guarded.stop();
  });
  const send = (method: string, contentType: string, body: Uint8Array<ArrayBuffer> | string, token?: string) =>
    fetch(`${guarded.url}/${SERVICE}/${method}`, {
      method: "POST",
      headers: { "content-type": contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });

  test("a malformed body without the token is Unauthenticated in every protocol, never a hint about the body", async () => {
    const unary = await send("Register", "application/proto", GARBAGE);
    expect(unary.status).toBe(401);
    expect(((await unary.json()) as { code: string }).code).toBe("unauthenticated");
    const json = await send("Register", "application/json", "{not json");
    expect(json.status).toBe(401);
    expect(((await json.json()) as { message: string }).message).toBe("Register needs an Authorization: Bearer token");

    const stream = await send("WatchServices", "application/connect+json", envelope(new TextEncoder().encode("{nope")));
    const bytes = new Uint8Array(await stream.arrayBuffer());
    expect(stream.headers.get("content-type")).toBe("application/connect+json");
    expect(bytes[0]).toBe(0b10);
    expect((JSON.parse(new TextDecoder().decode(bytes.subarray(5))) as { error: { code: string } }).error.code).toBe("unauthenticated");

    const grpcWeb = await send("Heartbeat", "application/grpc-web+proto", envelope(GARBAGE), "wrong");
    expect(grpcWeb.headers.get("grpc-status")).toBe(String(Code.Unauthenticated));
    expect(decodeURIComponent(grpcWeb.headers.get("grpc-message") ?? "")).toBe("Heartbeat: the bearer token is not valid");
  });

  test("with the token, the same body is judged on its own: InvalidArgument; a good request goes through", async () => {
    const response = await send("Register", "application/proto", GARBAGE, "s3cret");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("invalid_argument");
    const client = flowctlClient(guarded.url, "connect-binary", "s3cret");
    const { serviceId } = await client.register({ service: { componentId: "authorized", serviceType: ServiceType.SINK } });
    expect(serviceId).not.toBe("");
    expect((await errorOf(flowctlClient(guarded.url, "grpc-web").listServices({}))).code).toBe(Code.Unauthenticated);
  });
});
