// `bun run flowctl` flags and environment.
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { parseFlowctlArgs } from "../../src/cli/flowctl-args.ts";

const REPO = resolve(import.meta.dir, "..", "..");

describe("bun run flowctl flags", () => {
  test("defaults: 127.0.0.1:8080, a SQLite registry under ./data, 30s TTL, 5m eviction, 10s heartbeats, no token", () => {
    expect(parseFlowctlArgs([], {})).toEqual({
      help: false,
      host: "127.0.0.1",
      port: 8080,
      dbPath: "./data/flowctl.sqlite",
      ttlMs: 30_000,
      evictAfterMs: 300_000,
      heartbeatIntervalMs: 10_000,
      token: null,
      openReads: false,
      corsOrigins: [],
      maxRequestBytes: 1024 * 1024,
      idleTimeoutSeconds: 30,
      maxServices: 256,
      maxWatchers: 32,
      maxMetadataEntries: 64,
      maxMetadataBytes: 8192,
    });
  });

  test("limits: idle timeout, services, watchers, metadata entries and bytes", () => {
    const args = parseFlowctlArgs(["--idle-timeout", "2m", "--max-services", "10", "--max-watchers", "3", "--max-metadata-entries", "5", "--max-metadata-bytes", "1000"], {});
    expect(args).toMatchObject({ idleTimeoutSeconds: 120, maxServices: 10, maxWatchers: 3, maxMetadataEntries: 5, maxMetadataBytes: 1000 });
    expect(() => parseFlowctlArgs(["--idle-timeout", "300s"], {})).toThrow('--idle-timeout must be whole seconds from 1s to 255s, got "300s"');
    expect(() => parseFlowctlArgs(["--idle-timeout", "0s"], {})).toThrow("--idle-timeout must be whole seconds");
    expect(() => parseFlowctlArgs(["--max-services", "0"], {})).toThrow('--max-services must be an integer from 1 to 1000000, got "0"');
  });

  test("flags and environment", () => {
    const args = parseFlowctlArgs(
      ["--host", "0.0.0.0", "--port", "0", "--db", ":memory:", "--ttl", "2s", "--evict-after", "1m", "--heartbeat-interval", "500ms", "--cors-origin", "http://localhost:5173,https://dash.example", "--cors-origin", "http://127.0.0.1:3000"],
      { FLOWCTL_TOKEN: "t", FLOWCTL_OPEN_READS: "true" },
    );
    expect(args).toMatchObject({ host: "0.0.0.0", port: 0, dbPath: null, ttlMs: 2000, evictAfterMs: 60_000, heartbeatIntervalMs: 500, token: "t", openReads: true });
    expect(args.corsOrigins).toEqual(["http://localhost:5173", "https://dash.example", "http://127.0.0.1:3000"]);
    expect(parseFlowctlArgs([], { FLOWCTL_CORS_ORIGINS: "*" }).corsOrigins).toEqual(["*"]);
    expect(parseFlowctlArgs(["--ttl", "5s"], {}).heartbeatIntervalMs).toBe(1666); // the default interval stays a third of a short TTL
  });

  test("bad values name the flag", () => {
    const bad = (argv: string[], message: string, env: Record<string, string> = {}) => expect(() => parseFlowctlArgs(argv, env)).toThrow(message);
    bad(["--port", "70000"], '--port must be an integer from 0 to 65535, got "70000"');
    bad(["--ttl", "30"], '--ttl: "30" is not a duration');
    bad(["--ttl", "0s"], '--ttl must be positive, got "0s"');
    bad(["--ttl", "1m", "--evict-after", "30s"], "--evict-after (30s) must be at least --ttl (1m)");
    bad(["--ttl", "10s", "--heartbeat-interval", "10s"], "--heartbeat-interval (10s) must be shorter than --ttl (10s)");
    bad(["--cors-origin", "localhost:5173"], "--cors-origin must be an origin such as http://localhost:5173");
    bad(["--open-reads=yes"], "--open-reads");
    bad([], 'FLOWCTL_OPEN_READS: "perhaps" is not true or false', { FLOWCTL_OPEN_READS: "perhaps" });
    bad(["--verbose"], "--verbose is not a flag of bun run flowctl");
  });

  test("--help documents every flag; a bad flag exits 2", async () => {
    const run = async (...args: string[]) => {
      const proc = Bun.spawn(["bun", "src/cli/flowctl.ts", ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { stdout, stderr, code };
    };
    const help = await run("--help");
    expect(help.code).toBe(0);
    for (const flag of ["--host", "--port", "--db", "--ttl", "--evict-after", "--heartbeat-interval", "--cors-origin", "--open-reads", "--max-request-bytes", "FLOWCTL_TOKEN"]) {
      expect(help.stdout).toContain(flag);
    }
    const bad = await run("--ttl", "forever");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --ttl: "forever" is not a duration');
  });
});
