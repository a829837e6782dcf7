// Go durations, and which flowctl a component talks to: flags, component env, global env, YAML, defaults.
import { describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatDuration, parseDuration } from "../../src/flowctl/duration.ts";
import { ConfigError, FLOWCTL_CONFIG_DEFAULTS, resolveFlowctlConfig } from "../../src/flowctl/config.ts";
import { readYamlConfig } from "../../src/flowctl/config-file.ts";
import { canonicalEventType, LEDGER_EVENT_TYPE, TTP_EVENT_TYPE } from "../../src/flowctl/event-types.ts";

describe("Go durations", () => {
  test("parse the units Go knows, fractions and sums", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("1m")).toBe(60_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("250us")).toBe(0.25);
    expect(parseDuration("0")).toBe(0);
  });

  test("reject what Go rejects, naming the value", () => {
    for (const bad of ["10", "", "s", "10 s", "1d", "ten seconds", "5m-3s"]) {
      expect(() => parseDuration(bad)).toThrow(`"${bad}" is not a duration`);
    }
  });

  test("format back in the shortest form", () => {
    expect(formatDuration(10_000)).toBe("10s");
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(250)).toBe("250ms");
    expect(formatDuration(300_000)).toBe("5m");
  });
});

describe("event types", () => {
  test("legacy names are aliases of the canonical ones", () => {
    expect(canonicalEventType("stellar_ledger_service.StellarLedger")).toBe(LEDGER_EVENT_TYPE);
    expect(canonicalEventType("ttp_event_service.TTPEvent")).toBe(TTP_EVENT_TYPE);
    expect(canonicalEventType("stellar.ttp_event.v1")).toBe(TTP_EVENT_TYPE);
    expect(canonicalEventType("something.else.v1")).toBe("something.else.v1");
  });
});

describe("flowctl configuration", () => {
  const prefix = "STELLAR_ARROW_SOURCE_";
  const file = (flowctl: unknown) => ({ path: "pipeline.yaml", document: { flowctl } });

  test("defaults: disabled, localhost:8080, 10s", () => {
    expect(resolveFlowctlConfig({})).toEqual(FLOWCTL_CONFIG_DEFAULTS);
    expect(FLOWCTL_CONFIG_DEFAULTS).toEqual({ enabled: false, endpoint: "http://localhost:8080", heartbeatIntervalMs: 10_000, token: null });
  });

  test("each source overrides the ones below it: flags > component env > global env > file > defaults", () => {
    const yaml = file({ enabled: true, endpoint: "file-host:1", heartbeat_interval: "1s" });
    expect(resolveFlowctlConfig({ file: yaml, envPrefix: prefix })).toEqual({ enabled: true, endpoint: "http://file-host:1", heartbeatIntervalMs: 1000, token: null });

    const global = { ENABLE_FLOWCTL: "false", FLOWCTL_ENDPOINT: "global-host:2", FLOWCTL_HEARTBEAT_INTERVAL: "2s" };
    expect(resolveFlowctlConfig({ file: yaml, env: global, envPrefix: prefix })).toEqual({ enabled: false, endpoint: "http://global-host:2", heartbeatIntervalMs: 2000, token: null });

    const component = { ...global, [`${prefix}ENABLE_FLOWCTL`]: "true", [`${prefix}FLOWCTL_ENDPOINT`]: "https://source-host:3/", [`${prefix}FLOWCTL_HEARTBEAT_INTERVAL`]: "3s" };
    expect(resolveFlowctlConfig({ file: yaml, env: component, envPrefix: prefix })).toEqual({ enabled: true, endpoint: "https://source-host:3", heartbeatIntervalMs: 3000, token: null });
    // another component's variables are not this one's
    expect(resolveFlowctlConfig({ env: component, envPrefix: "TTP_ARROW_PROCESSOR_" }).endpoint).toBe("http://global-host:2");

    const flags = { enabled: false, endpoint: "flag-host:4", heartbeatInterval: "4s" };
    expect(resolveFlowctlConfig({ flags, file: yaml, env: component, envPrefix: prefix })).toEqual({ enabled: false, endpoint: "http://flag-host:4", heartbeatIntervalMs: 4000, token: null });
  });

  test("the global names work alone, and the token comes from FLOWCTL_TOKEN", () => {
    const config = resolveFlowctlConfig({ env: { ENABLE_FLOWCTL: "1", FLOWCTL_ENDPOINT: "127.0.0.1:9999", FLOWCTL_TOKEN: " s3cret " }, envPrefix: prefix });
    expect(config).toEqual({ enabled: true, endpoint: "http://127.0.0.1:9999", heartbeatIntervalMs: 10_000, token: "s3cret" });
  });

  test("a bad value names where it came from", () => {
    const bad = (sources: Parameters<typeof resolveFlowctlConfig>[0], message: string) => {
      expect(() => resolveFlowctlConfig(sources)).toThrow(ConfigError);
      expect(() => resolveFlowctlConfig(sources)).toThrow(message);
    };
    bad({ env: { [`${prefix}ENABLE_FLOWCTL`]: "maybe" }, envPrefix: prefix }, `${prefix}ENABLE_FLOWCTL: "maybe" is not true or false`);
    bad({ env: { FLOWCTL_HEARTBEAT_INTERVAL: "10" } }, `FLOWCTL_HEARTBEAT_INTERVAL: "10" is not a duration`);
    bad({ env: { FLOWCTL_HEARTBEAT_INTERVAL: "2h" } }, "FLOWCTL_HEARTBEAT_INTERVAL: the heartbeat interval must be from 10ms to 1h");
    bad({ env: { FLOWCTL_ENDPOINT: "ftp://host:1" } }, `FLOWCTL_ENDPOINT: "ftp://host:1" is not a flowctl endpoint`);
    bad({ flags: { endpoint: "http://" } }, `--flowctl: "http://" is not a flowctl endpoint`);
    bad({ file: file({ heartbeat_interval: "soon" }) }, `pipeline.yaml: flowctl.heartbeat_interval: "soon" is not a duration`);
    bad({ file: file({ enabeld: true }) }, "pipeline.yaml: unknown key flowctl.enabeld");
    bad({ file: file("yes") }, `pipeline.yaml: "flowctl" must be a mapping`);
    bad({ file: { path: "list.yaml", document: [1, 2] } }, "list.yaml: the config file must be a YAML mapping");
  });

  test("a YAML file is read and checked", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowctl-config-"));
    const good = join(dir, "good.yaml");
    await writeFile(good, "flowctl:\n  enabled: true\n  endpoint: localhost:8085\n  heartbeat_interval: 500ms\nother: ignored\n");
    expect(resolveFlowctlConfig({ file: await readYamlConfig(good) })).toEqual({ enabled: true, endpoint: "http://localhost:8085", heartbeatIntervalMs: 500, token: null });
    const broken = join(dir, "broken.yaml");
    await writeFile(broken, "flowctl: [unclosed\n");
    await expect(readYamlConfig(broken)).rejects.toThrow(`${broken} is not valid YAML`);
    await expect(readYamlConfig(join(dir, "missing.yaml"))).rejects.toThrow("cannot read the config file");
    await rm(dir, { recursive: true, force: true });
  });
});
