// `bun run processor`: raw ledgers from its upstream source in, `ledgers` and `ttp_events` rows
// out on GET /v1/events?start=N, as Arrow IPC record batches.
import { openProcessor, type OpenedProcessor } from "../processor/open-processor.ts";
import { EVENTS_PATH, mountProcessorStage } from "../stages/http/processor-stage.ts";
import { resolvePassphrase } from "../stellar/network.ts";
import { eventPredicate, FilterError } from "../ttp/event-filter.ts";
import { TTP_EVENT_TYPES } from "../ttp/event.ts";
import { aborted, setUpStage, upstreamOf, serveStage } from "./stage-common.ts";
import { runCommand, usageFailure } from "./command.ts";

async function main(argv: readonly string[]): Promise<number> {
  const setup = await setUpStage("processor", argv);
  if (typeof setup === "number") return setup;
  const { args, component, log, abort } = setup;
  const p = args.pipeline;
  try {
    eventPredicate(p.filters); // a bad filter is a usage error, before anything starts
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    return usageFailure("bun run processor", error.message);
  }
  const upstream = upstreamOf(setup);
  if (!upstream) {
    return usageFailure("bun run processor", "the processor needs an upstream: --upstream URL of a source, or flowctl (--flowctl URL) to find one");
  }
  const expected = p.network === null ? null : resolvePassphrase(p.network);
  Object.assign(component.metadata, { processor_type: "ttp", event_types: TTP_EVENT_TYPES.join(","), ttp_mode: p.ttpMode, verify: String(p.verify), upstream: upstream.describe() });
  const made = new Map<string, OpenedProcessor>();
  const processorFor = (networkPassphrase: string) => {
    if (expected !== null && networkPassphrase !== expected) throw new Error(`the upstream serves ledgers of "${networkPassphrase}", not of --network "${p.network}"`);
    let entry = made.get(networkPassphrase);
    if (!entry) {
      entry = openProcessor(networkPassphrase, { decoder: p.decoder, mode: p.ttpMode, verify: p.verify, checkHashes: p.checkTxSets, filter: p.filters, workers: p.workers });
      made.set(networkPassphrase, entry);
    }
    return entry;
  };
  const server = serveStage(setup, {
    dataPath: EVENTS_PATH,
    healthExtra: () => ({ upstream: upstream.describe() }),
    routes: (app) => mountProcessorStage(app, component, { upstream, processorFor, maxInflight: args.maxInflight, reconnect: { attempts: args.reconnectAttempts }, maxStreams: setup.limits.maxDataStreams, log }),
  });
  log(`processor: reading from ${upstream.describe()}, serving ${server.url}${EVENTS_PATH}`);
  component.status = "running";
  await aborted(abort.signal);
  component.status = "finished";
  upstream.close();
  await server.stop();
  for (const entry of made.values()) entry.close();
  return 0;
}

await runCommand(main);
