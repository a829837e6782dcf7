// `bun run flowctl`: the control plane server, until SIGINT or SIGTERM.
import { stopOnSignals } from "./interrupts.ts";
import { formatDuration } from "../flowctl/duration.ts";
import { startFlowctlServer } from "../flowctl/serve-flowctl.ts";
import { FLOWCTL_HELP, parseFlowctlArgs } from "./flowctl-args.ts";
import { UsageError } from "./pipeline-args.ts";
import { messageOf } from "../common/message-of.ts";

function main(argv: readonly string[]): number | Promise<number> {
  let args;
  try {
    args = parseFlowctlArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${FLOWCTL_HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(FLOWCTL_HELP);
    return 0;
  }
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

try {
  process.exitCode = await main(Bun.argv.slice(2));
} catch (error) {
  console.error(`error: ${messageOf(error)}`);
  process.exitCode = 1;
}
