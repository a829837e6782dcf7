// DNS rebinding: a server on loopback answers only requests that name loopback (or an allowed host),
// so a page on a domain that resolves to 127.0.0.1 gets nothing, though it is "same origin".
import { afterAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { allowedHostsFromEnv, isLoopbackName } from "../../src/http/host-guard.ts";
import { serveApp } from "../../src/http/serve-app.ts";

/** A GET with a Host header of our choosing (fetch sets Host from the URL; a raw socket does not). */
async function getWithHost(port: number, host: string, path = "/health"): Promise<{ status: number; body: string }> {
  const chunks: Uint8Array[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_, data) => void chunks.push(new Uint8Array(data)),
      close: () => resolve(),
      error: () => resolve(),
    },
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  await promise;
  const text = Buffer.concat(chunks).toString("utf8");
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

describe("a server listening on 127.0.0.1", () => {
  const app = new Hono().get("/health", (c) => c.json({ status: "healthy" }));
  const served = serveApp(app.fetch, { host: "127.0.0.1", port: 0, allowedHosts: ["pipeline.lan"] });
  afterAll(() => served.stop());

  test("answers requests for loopback names, with or without a port", async () => {
    for (const host of [`127.0.0.1:${served.port}`, `localhost:${served.port}`, "localhost", `[::1]:${served.port}`, "127.1.2.3", "dash.localhost:9"]) {
      const answer = await getWithHost(served.port, host);
      expect({ host, status: answer.status }).toEqual({ host, status: 200 });
    }
  });

  test("refuses a rebound name (HTTP 421, naming the host and the way to allow it), before any route", async () => {
    for (const host of [`evil.example:${served.port}`, "attacker.test", "127.0.0.1.nip.io", ""]) {
      const answer = await getWithHost(served.port, host);
      expect({ host, status: answer.status }).toEqual({ host, status: 421 });
    }
    const answer = await getWithHost(served.port, `evil.example:${served.port}`);
    expect(answer.body).toContain('"evil.example:');
    expect(answer.body).toContain("STELLAR_FLOW_ALLOWED_HOSTS");
  });

  test("answers a host the operator allows", async () => {
    expect((await getWithHost(served.port, `pipeline.lan:${served.port}`)).status).toBe(200);
    expect((await getWithHost(served.port, "PIPELINE.LAN")).status).toBe(200);
  });
});

test("a server bound beyond loopback (exposed on purpose, behind its token) does not check Host", async () => {
  const app = new Hono().get("/health", (c) => c.json({ status: "healthy" }));
  const served = serveApp(app.fetch, { host: "0.0.0.0", port: 0 });
  try {
    expect((await getWithHost(served.port, "pipeline.example.org")).status).toBe(200);
  } finally {
    await served.stop();
  }
});

test("loopback names and STELLAR_FLOW_ALLOWED_HOSTS", () => {
  expect(["localhost", "LOCALHOST", "127.0.0.1", "127.255.0.9", "::1", "[::1]", "a.localhost"].every(isLoopbackName)).toBe(true);
  expect(["0.0.0.0", "10.0.0.1", "127.0.0.1.nip.io", "localhost.example", "::", "128.0.0.1"].some(isLoopbackName)).toBe(false);
  expect(allowedHostsFromEnv({ STELLAR_FLOW_ALLOWED_HOSTS: " Pipeline.LAN, ,box " })).toEqual(["pipeline.lan", "box"]);
  expect(allowedHostsFromEnv({})).toEqual([]);
});

test("bun run sink on loopback refuses a rebound Host on every route, /livez included", async () => {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "stellar-flow-host-"));
  const proc = Bun.spawn([process.execPath, "src/cli/sink.ts", "--db", join(dir, "db.duckdb"), "--port", "0", "--flowctl", "off"], {
    cwd: join(import.meta.dir, "..", ".."),
    stdout: "ignore",
    stderr: "pipe",
  });
  try {
    // the sink says where it serves once it listens
    let log = "";
    const reader = proc.stderr.getReader();
    while (!/serving .* at http:\/\/127\.0\.0\.1:(\d+)/.test(log)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the sink ended: ${log}`);
      log += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    const port = Number(/at http:\/\/127\.0\.0\.1:(\d+)/.exec(log)![1]);
    for (const path of ["/livez", "/health", "/", "/metrics"]) {
      expect({ path, status: (await getWithHost(port, `rebind.example:${port}`, path)).status }).toEqual({ path, status: 421 });
    }
    expect((await getWithHost(port, `127.0.0.1:${port}`, "/livez")).status).toBe(200);
  } finally {
    proc.kill();
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
