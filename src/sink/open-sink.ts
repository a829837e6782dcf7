// From a sink target to a LedgerSink, as openSource does for sources: the one place that knows
// which implementations there are: a DuckDB database file (a path, or duckdb:PATH), or a backfill
// dataset of Parquet shards (dataset:DIR, s3://bucket/prefix, or a folder holding a dataset.json).
import { existsSync } from "node:fs";
import type { Hono } from "hono";
import type { MetricRegistry } from "../metrics/registry.ts";
import type { WebSocketHandler } from "bun";
import type { LedgerRange } from "../source/ledger-source.ts";
import type { LedgerSink, ResumePoint } from "./ledger-sink.ts";
import { continuationPoint, readDatasetSnapshot } from "./dataset/dataset-views.ts";
import { openDuckDbSink } from "./open-duckdb-sink.ts";
import { datasetExists, datasetLocation, openDatasetSink } from "./dataset/open-dataset-sink.ts";
import type { SinkServicesOptions } from "./services/mount-sink-services.ts";

export interface OpenSinkOptions {
  /**
   * The implementation's own settings (DuckDB: configuration options, e.g. { memory_limit: "1GB" };
   * a dataset: shard_size, s3_endpoint).
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** The network passphrase of the ledgers to come: a sink that records it (a dataset) refuses another network's. */
  readonly network?: string | null;
  /**
   * The operator's explicit start (null: the upstream's first ledger), recorded as the sink is made
   * (see LedgerSink.startOver), so that a new sink is never seen without it.
   */
  readonly startOver?: { readonly at: number | null } | null;
  /** What the run exports once it has committed (see OpenedSink.exportRange). */
  readonly exports?: SinkExports;
  /** Serve clients (queries, event streams), this many queries at once; absent: no client services. */
  readonly queryConcurrency?: number;
  /**
   * A backfill dataset (folder) this sink continues: it goes on after the dataset's last ledger
   * (chained to its manifest), and its client services read the dataset's rows and its own as one
   * ttp_events and ledgers (DuckDB sinks).
   */
  readonly dataset?: string | null;
}

export interface SinkExports {
  /** NDJSON of the range's events, with the contract's column names. */
  readonly json?: string | null;
  /** A folder for ttp_events.parquet and ledgers.parquet. */
  readonly parquet?: string | null;
}

export interface ExportReport {
  readonly json: { readonly file: string; readonly events: number } | null;
  readonly parquet: { readonly dir: string; readonly files: readonly string[]; readonly events: number; readonly ledgers: number } | null;
}

/** What the client services need besides the sink's data: token, CORS, limits, flowctl for the dashboard. */
export type ClientServicesConfig = Omit<SinkServicesOptions, "db" | "hub">;

/** The sink's client services (EventService, QueryService, /ws, the dashboard) as routes for a component's server. */
export interface SinkClientServices {
  /** Mounts the services on `app`, counting their RPCs and streams into `metrics` (the sink component's) when given. */
  readonly mount: (app: Hono, metrics?: MetricRegistry) => void;
  /** Bun's WebSocket handlers for the routes' /ws. */
  readonly websocket: WebSocketHandler<any>;
  /** The sink committed ledgers through `lastLedger`: wakes the event streams. */
  committed(lastLedger: number): void;
}

export interface OpenedSink {
  readonly sink: LedgerSink;
  /** Facts for flowctl registration: sink_type, output_formats, endpoints. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Lines for the operator about how the sink was set up (e.g. a lowered checkpoint threshold). */
  readonly notes: readonly string[];
  /** The client services over the sink's data; null when it was opened without (no queryConcurrency). */
  clientServices(config: ClientServicesConfig): Promise<SinkClientServices | null>;
  /** Writes the exports asked for at open, of the ledgers of `range` (or of each range of a list). */
  exportRange(range: LedgerRange | readonly LedgerRange[]): Promise<ExportReport>;
  /**
   * Closes the sink; with removeIfUnused, also removes what it is stored in if this run created it
   * and never committed to it (answers whether it did).
   */
  close(options?: { readonly removeIfUnused?: boolean }): Promise<boolean>;
}

const DUCKDB_PREFIX = "duckdb:";
/** A target naming a scheme (s3://, dataset:, ...) no implementation here takes. */
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/** The database path of a DuckDB target; null when the target names another kind of sink. */
function duckdbPath(target: string): string | null {
  if (target.startsWith(DUCKDB_PREFIX)) return target.slice(DUCKDB_PREFIX.length);
  if (target === ":memory:" || !OTHER_SCHEME.test(target)) return target;
  return null;
}

function unknownTarget(target: string): Error {
  return new Error(`no sink writes to ${target}: give a DuckDB database file (a path, or duckdb:PATH), or a dataset (dataset:DIR, s3://bucket/prefix)`);
}

/** Whether the sink at `target` exists already (a resumed run reads its resume point first). */
export function sinkExists(target: string): boolean {
  const dataset = datasetLocation(target);
  if (dataset !== null) return datasetExists(dataset);
  const path = duckdbPath(target);
  if (path === null) throw unknownTarget(target);
  return path !== ":memory:" && existsSync(path);
}

/**
 * Where a sink that does not exist yet goes on: after the dataset it is to continue (options.dataset),
 * chained to its last manifest; null when nothing decides it (a new sink starts where it is told).
 */
export async function newSinkResumePoint(options: OpenSinkOptions): Promise<ResumePoint | null> {
  return options.dataset ? continuationPoint(await readDatasetSnapshot(options.dataset)) : null;
}

/** Opens (creating it when missing) the sink at `target`. Throws SinkBusyError when another process holds it. */
export async function openSink(target: string, options: OpenSinkOptions = {}): Promise<OpenedSink> {
  const dataset = datasetLocation(target);
  if (dataset !== null) return openDatasetSink(dataset, options);
  const path = duckdbPath(target);
  if (path === null) throw unknownTarget(target);
  return openDuckDbSink(path, options);
}
