// openSink's DuckDB implementation: a DuckDbSink, under DuckDB's own sandbox when it serves clients
// (./services/served-sink.ts), with its exports and client services.
import type { DuckDBConnection } from "@duckdb/node-api";
import type { LedgerRange } from "../source/ledger-source.ts";
import { DuckDbSink } from "./duckdb/duckdb-sink.ts";
import { lockConflictOf } from "./duckdb/lock-conflict.ts";
import { exportJson } from "./export/export-json.ts";
import { exportParquet, parquetExportFiles } from "./export/export-parquet.ts";
import { SinkBusyError } from "./ledger-sink.ts";
import type { ExportReport, OpenedSink, OpenSinkOptions } from "./open-sink.ts";
import { CommitHub } from "./services/commit-hub.ts";
import { openServedSink, type ServedSink } from "./services/served-sink.ts";
import { sinkServiceRoutes } from "./services/sink-service-routes.ts";
import { DatasetContinuedSink } from "./dataset/continued-sink.ts";
import { createDatasetViews, DatasetReadError, readDatasetSnapshot, type DatasetSnapshot } from "./dataset/dataset-views.ts";
import { networkLabel } from "../backfill/dataset-descriptor.ts";
import type { LedgerSink } from "./ledger-sink.ts";

export async function openDuckDbSink(path: string, options: OpenSinkOptions): Promise<OpenedSink> {
  const json = options.exports?.json ?? null;
  const parquet = options.exports?.parquet ?? null;
  const startOver = options.startOver ? { startOver: options.startOver } : {};
  const config = { ...options.settings };
  let served: ServedSink | null = null;
  let sink: DuckDbSink;
  const dataset = options.dataset ? await continuedDataset(options.dataset, options.network ?? null) : null;
  try {
    if (options.queryConcurrency !== undefined) {
      // DuckDB's sandbox locks the instance once it is open: the exports are known now, and allowed
      const exportFiles = [...(json ? [json] : []), ...(parquet ? parquetExportFiles(parquet) : [])];
      // with a dataset: its folder allowed, and every reading connection sees it and the database as one
      const reading = dataset ? { allowedDirectories: [dataset.location], prepareConnection: (c: DuckDBConnection) => createDatasetViews(c, dataset, true) } : {};
      served = await openServedSink(path, { config, exportFiles, queryConcurrency: options.queryConcurrency, ...startOver, ...reading });
      sink = served.sink;
    } else {
      sink = await DuckDbSink.open(path, { config, ...startOver });
    }
  } catch (error) {
    const conflict = lockConflictOf(error);
    if (conflict) throw new SinkBusyError(`the database ${path} is locked by ${conflict.holder}; try again once it is closed`, conflict.holder, { cause: error, pid: conflict.pid });
    throw error;
  }
  const ledgerSink: LedgerSink = dataset ? new DatasetContinuedSink(sink, dataset) : sink;
  return {
    sink: ledgerSink,
    metadata: {
      ...(dataset ? { dataset: dataset.location } : {}),
      sink_type: "duckdb",
      output_formats: ["duckdb", ...(json ? ["ndjson"] : []), ...(parquet ? ["parquet"] : [])].join(","),
      endpoints: [path, ...(json ? [json] : []), ...(parquet ? [parquet] : [])].join(","),
    },
    notes: sink.spaceNote ? [sink.spaceNote] : [],
    async clientServices(config) {
      if (!served) return null;
      const hub = new CommitHub((await ledgerSink.cursor())?.sequence ?? null);
      const routes = sinkServiceRoutes({ ...config, db: served.services, hub });
      return { mount: routes.mount, websocket: routes.websocket, committed: (lastLedger) => hub.committed(lastLedger) };
    },
    async exportRange(range: LedgerRange | readonly LedgerRange[]): Promise<ExportReport> {
      const connection = await sink.connect();
      try {
        const jsonReport = json ? { file: json, events: await exportJson(connection, range, json) } : null;
        const parquetReport = parquet ? { dir: parquet, files: parquetExportFiles(parquet), ...(await exportParquet(connection, range, parquet)) } : null;
        return { json: jsonReport, parquet: parquetReport };
      } finally {
        connection.closeSync();
      }
    },
    async close(closing = {}) {
      if (served) return served.close(closing);
      if (closing.removeIfUnused) return sink.closeAndRemoveIfUnused();
      await sink.close();
      return false;
    },
  };
}

/** The dataset a sink continues, checked to hold ledgers of the run's network. */
async function continuedDataset(dir: string, network: string | null): Promise<DatasetSnapshot> {
  const snapshot = await readDatasetSnapshot(dir);
  if (network !== null && snapshot.network !== network) {
    throw new DatasetReadError(`--dataset ${dir} holds ledgers of ${networkLabel(snapshot.network)}; this run reads ${networkLabel(network)}`);
  }
  return snapshot;
}
