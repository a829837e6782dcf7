// `bun run source`: reads ledgers (data lake, RPC, or both) and serves them to downstream
// processes as Arrow IPC record batches on GET /v1/ledgers?start=N.
import { mountSourceStage, LEDGERS_PATH } from "../stages/http/source-stage.ts";
import { DEFAULT_LEDGERS_PER_ARROW_BATCH } from "../source/datalake/datalake-source.ts";
import { openSource } from "../source/open-source.ts";
import { DEFAULT_LATEST_COUNT } from "./source-args.ts";
import { aborted, setUpStage, serveStage } from "./stage-common.ts";
import { runCommand } from "./command.ts";

async function main(argv: readonly string[]): Promise<number> {
  const setup = await setUpStage("source", argv);
  if (typeof setup === "number") return setup;
  const { args, component, log, abort } = setup;
  const p = args.pipeline;
  const batchSize = p.batchSize ?? DEFAULT_LEDGERS_PER_ARROW_BATCH;
  const opened = await openSource(p.source, { network: p.network, ledgersPerArrowBatch: batchSize, signal: abort.signal, onWarning: (m) => log(`warning: ${m}`) });
  const { source } = opened;
  Object.assign(component.metadata, { network_passphrase: source.networkPassphrase, ...opened.metadata, batch_size: String(batchSize) });
  // the range: --start N | latest-N | (none: whatever the downstream asks, else the newest 100); --end M | --follow | the newest
  let newest: number | null = null;
  const latest = async () => (newest ??= await source.latestLedger({ signal: abort.signal }));
  const start = p.source.start;
  const rangeStart = start.kind === "ledger" ? start.sequence : start.kind === "latest" ? Math.max(1, (await latest()) - start.back) : null;
  const rangeEnd = p.source.follow ? Number.POSITIVE_INFINITY : (p.source.end ?? (start.kind === "ledger" ? start.sequence : await latest()));
  if (Number.isFinite(rangeEnd)) component.metrics.setTarget(rangeEnd);
  const server = serveStage(setup, {
    dataPath: LEDGERS_PATH,
    healthExtra: () => ({ upstream: source.description, range: { start: rangeStart, end: Number.isFinite(rangeEnd) ? rangeEnd : null } }),
    routes: (app) =>
      mountSourceStage(app, component, {
        source,
        rangeStart,
        defaultStart: async () => Math.max(1, (await latest()) - DEFAULT_LATEST_COUNT + 1),
        rangeEnd,
        maxInflight: args.maxInflight,
        maxLedgersPerSecond: p.maxLedgersPerSecond,
        maxStreams: setup.limits.maxDataStreams,
        log,
      }),
  });
  log(`source: ${source.description}, ledgers ${rangeStart ?? "(from the downstream's cursor)"}-${Number.isFinite(rangeEnd) ? rangeEnd : "(following)"}, serving ${server.url}${LEDGERS_PATH}`);
  component.status = "running";
  await aborted(abort.signal);
  component.status = "finished";
  await server.stop();
  return 0;
}

await runCommand(main);
