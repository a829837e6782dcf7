// `bun run processor`: raw ledgers from its upstream source in, `ledgers` and `ttp_events` rows
// out on GET /v1/events?start=N, as Arrow IPC record batches.
import { ledgerDecoder } from "../processor/ledger-decoders.ts";
import { ParallelTtpProcessor } from "../processor/parallel-processor.ts";
import { EVENTS_PATH, mountProcessorStage, type ProcessorStageOptions } from "../stages/http/processor-stage.ts";
import { TtpProcessor } from "../processor/ttp-processor.ts";
import { resolvePassphrase } from "../stellar/network.ts";
import { eventPredicate, FilterError } from "../ttp/event-filter.ts";
import { TTP_EVENT_TYPES } from "../ttp/event.ts";
import { aborted, setUpStage, upstreamOf, serveStage } from "./stage-common.ts";
import { runCommand } from "./command.ts";

async function main(argv: readonly string[]): Promise<number> {
  const setup = await setUpStage("processor", argv);
  if (typeof setup === "number") return setup;
  const { args, component, log, abort } = setup;
  const p = args.pipeline;
  let filter;
  try {
    filter = eventPredicate(p.filters);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  const upstream = upstreamOf(setup);
  if (!upstream) {
    console.error("error: the processor needs an upstream: --upstream URL of a source, or flowctl (--flowctl URL) to find one");
    return 2;
  }
  const expected = p.network === null ? null : resolvePassphrase(p.network);
  Object.assign(component.metadata, { processor_type: "ttp", event_types: TTP_EVENT_TYPES.join(","), ttp_mode: p.ttpMode, verify: String(p.verify), upstream: upstream.describe() });
  const made = new Map<string, ReturnType<ProcessorStageOptions["processorFor"]> & { close(): void }>();
  const processorFor = (networkPassphrase: string) => {
    if (expected !== null && networkPassphrase !== expected) throw new Error(`the upstream serves ledgers of "${networkPassphrase}", not of --network "${p.network}"`);
    let entry = made.get(networkPassphrase);
    if (!entry) {
      if (p.workers > 0) {
        const parallel = new ParallelTtpProcessor({ networkPassphrase, decoder: p.decoder, mode: p.ttpMode, verify: p.verify, checkHashes: p.checkTxSets, filter: p.filters, workers: p.workers });
        entry = { processor: parallel, readAhead: (source) => parallel.readAhead(source), close: () => parallel.close() };
      } else {
        const processor = new TtpProcessor({ networkPassphrase, decoder: ledgerDecoder(p.decoder, networkPassphrase, { checkHashes: p.checkTxSets }), mode: p.ttpMode, verify: p.verify, filter });
        entry = { processor, close: () => {} };
      }
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
