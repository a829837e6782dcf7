// Test helpers for flowctl: a real server on a free port, clients over each protocol, polling.
import { ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { ControlPlaneService } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { FLOWCTL_DEFAULTS, startFlowctlServer, type FlowctlServer, type FlowctlServerOptions } from "../../src/flowctl/serve-flowctl.ts";

export type ControlPlaneClient = Client<typeof ControlPlaneService>;

export function startTestFlowctl(options: Partial<FlowctlServerOptions> = {}): FlowctlServer {
  return startFlowctlServer({ ...FLOWCTL_DEFAULTS, host: "127.0.0.1", port: 0, dbPath: null, token: null, openReads: false, corsOrigins: [], ...options });
}

export type Protocol = "connect-json" | "connect-binary" | "grpc-web";

export function flowctlClient(baseUrl: string, protocol: Protocol = "connect-json", token?: string): ControlPlaneClient {
  const interceptors: Interceptor[] = token ? [(next) => (request) => (request.header.set("Authorization", `Bearer ${token}`), next(request))] : [];
  const transport =
    protocol === "grpc-web"
      ? createGrpcWebTransport({ baseUrl, useBinaryFormat: true, interceptors })
      : createConnectTransport({ baseUrl, useBinaryFormat: protocol === "connect-binary", interceptors });
  return createClient(ControlPlaneService, transport);
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown = null;
  while (performance.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await Bun.sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
}

/** A port that was free a moment ago (for a server that must come back on the same port). */
export function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** Collects a child's stream as text while it runs. */
export function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<string> } {
  let text = "";
  const decoder = new TextDecoder();
  const done = (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
    text += decoder.decode();
    return text;
  })();
  return { text: () => text, done };
}

/** Path of promtool, or null when it is not installed (.ci/run installs Debian's prometheus). */
export function promtool(): string | null {
  return Bun.which("promtool");
}

/** `promtool check metrics` on the text: its output, or "" when it passes. */
export async function promtoolProblems(metrics: string): Promise<string> {
  const tool = promtool();
  if (!tool) throw new Error("promtool is not installed (apt-get install prometheus)");
  const proc = Bun.spawn([tool, "check", "metrics"], { stdin: new TextEncoder().encode(metrics), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return code === 0 ? "" : `${out}${err}`.trim() || `promtool exited ${code}`;
}

/** The ConnectError a call fails with; throws when it succeeds. */
export async function errorOf(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded");
}
