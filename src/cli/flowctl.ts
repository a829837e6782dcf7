// `bun run flowctl`: the control plane server, until SIGINT or SIGTERM.
import { stopOnSignals } from "./interrupts.ts";
import { formatDuration } from "../flowctl/duration.ts";
import { startFlowctlServer } from "../flowctl/serve-flowctl.ts";
import { FLOWCTL_HELP, parseFlowctlArgs } from "./flowctl-args.ts";
import { parseFlags, runCommand } from "./command.ts";

async function main(argv: readonly string[]): Promise<number> {
  const args = parseFlags(() => parseFlowctlArgs(argv), FLOWCTL_HELP);
  if (typeof args === "number") return args;
  const server = startFlowctlServer(args);
  const auth = args.token === null ? "no token (every RPC open)" : args.openReads ? "bearer token for mutations" : "bearer token for every RPC";
  console.error(
    `flowctl listening on ${server.url} (registry ${args.dbPath ?? "in memory"}, ttl ${formatDuration(args.ttlMs)}, ` +
      `evict after ${formatDuration(args.evictAfterMs)}, heartbeat ${formatDuration(args.heartbeatIntervalMs)}, ${auth})`,
  );
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      console.error(`flowctl: ${signal}, stopping`);
      server.stop().then(() => resolve(0), () => resolve(1));
    };
    const interruption = new AbortController();
    interruption.signal.addEventListener("abort", () => stop("interrupted"), { once: true });
    stopOnSignals(interruption, { forcedNote: "the registry keeps what it stored last", log: (message) => console.error(message) });
  });
}

await runCommand(main);
