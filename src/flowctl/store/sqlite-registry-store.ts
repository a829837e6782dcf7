// RegistryStore in an embedded SQLite file (bun:sqlite), so a restarted flowctl keeps its registry.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { HealthStatus, ServiceInfoSchema } from "../../gen/flowctl/v1/flowctl_pb.ts";
import type { ServiceEntry } from "../registry.ts";
import type { RegistryStore } from "../registry-store.ts";
import { messageOf } from "../../common/message-of.ts";

interface Row {
  info: Uint8Array;
  status: number;
  registered_at: number;
  last_heartbeat: number;
  metrics: string;
}

export class SqliteRegistryStore implements RegistryStore {
  readonly #db: Database;

  /** Opens (creating it and its folder when missing) the registry database at `path`. */
  constructor(readonly path: string) {
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      this.#db = new Database(path, { create: true, strict: true });
      this.#db.run("PRAGMA journal_mode = WAL");
      this.#db.run(`CREATE TABLE IF NOT EXISTS services (
        service_id TEXT PRIMARY KEY,
        info BLOB NOT NULL,
        status INTEGER NOT NULL,
        registered_at INTEGER NOT NULL,
        last_heartbeat INTEGER NOT NULL,
        metrics TEXT NOT NULL
      )`);
    } catch (error) {
      throw new Error(`flowctl registry ${path}: cannot open the SQLite database: ${messageOf(error)}`, { cause: error });
    }
  }

  load(): ServiceEntry[] {
    const rows = this.#db.query<Row, []>("SELECT info, status, registered_at, last_heartbeat, metrics FROM services").all();
    return rows.map((row) => ({
      info: fromBinary(ServiceInfoSchema, row.info),
      status: row.status === HealthStatus.HEALTHY ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY,
      registeredAt: row.registered_at,
      lastHeartbeat: row.last_heartbeat,
      metrics: JSON.parse(row.metrics) as Record<string, number>,
    }));
  }

  save(entry: ServiceEntry): void {
    this.#db
      .query(
        `INSERT INTO services (service_id, info, status, registered_at, last_heartbeat, metrics)
         VALUES ($id, $info, $status, $registered, $heartbeat, $metrics)
         ON CONFLICT (service_id) DO UPDATE SET info = excluded.info, status = excluded.status,
           registered_at = excluded.registered_at, last_heartbeat = excluded.last_heartbeat, metrics = excluded.metrics`,
      )
      .run({
        id: entry.info.serviceId,
        info: toBinary(ServiceInfoSchema, entry.info),
        status: entry.status,
        registered: entry.registeredAt,
        heartbeat: entry.lastHeartbeat,
        metrics: JSON.stringify(entry.metrics),
      });
  }

  remove(serviceId: string): void {
    this.#db.query("DELETE FROM services WHERE service_id = $id").run({ id: serviceId });
  }

  close(): void {
    this.#db.close();
  }
}
