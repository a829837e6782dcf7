// QueryService: read-only SQL over the sink's database, with a statement timeout and a row cap.
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { QueryResponseSchema, type QueryService } from "../../gen/stellarflow/v1/query_service_pb.ts";
import { valueText } from "../query/result-values.ts";
import { isConnectError, prepareReadOnly } from "./read-only-sql.ts";
import type { ServiceDatabase } from "./service-database.ts";
import { connectWithTimeout, timeoutMessage } from "./timed-connection.ts";

export interface QueryLimits {
  /** Most rows a response holds. */
  readonly maxRows: number;
  /** A query still running after this long is interrupted. */
  readonly timeoutMs: number;
  /** Longest SQL text accepted. */
  readonly maxSqlLength: number;
}

export const QUERY_DEFAULTS: QueryLimits = { maxRows: 10_000, timeoutMs: 10_000, maxSqlLength: 20_000 };

export function queryService(db: ServiceDatabase, limits: QueryLimits = QUERY_DEFAULTS): ServiceImpl<typeof QueryService> {
  return {
    async query(request) {
      if (request.sql.length > limits.maxSqlLength) {
        throw new ConnectError(`sql is ${request.sql.length} characters long; at most ${limits.maxSqlLength} are accepted`, Code.InvalidArgument);
      }
      const maxRows = request.maxRows === 0 ? limits.maxRows : Math.min(request.maxRows, limits.maxRows);
      const started = performance.now();
      const timed = await connectWithTimeout(db, limits.timeoutMs);
      const connection = timed.connection;
      try {
        const prepared = await prepareReadOnly(connection, request.sql);
        const reader = await prepared.streamAndReadUntil(maxRows + 1);
        const names = reader.columnNames();
        const types = reader.columnTypes();
        const rows = reader.getRows();
        const truncated = rows.length > maxRows;
        return create(QueryResponseSchema, {
          columns: names.map((name, i) => ({ name, type: types[i]!.toString() })),
          rows: rows.slice(0, maxRows).map((row) => ({ values: row.map((value, i) => {
            const text = valueText(value, types[i]!);
            return text === null ? {} : { text };
          }) })),
          truncated,
          elapsedMs: performance.now() - started,
        });
      } catch (error) {
        if (isConnectError(error)) throw error;
        const message = error instanceof Error ? error.message : String(error);
        if (timed.timedOut() || /interrupt/i.test(message)) throw new ConnectError(timeoutMessage(limits.timeoutMs), Code.DeadlineExceeded);
        if (/permission|disabled by configuration/i.test(message)) throw new ConnectError(`refused: ${message}`, Code.PermissionDenied);
        throw new ConnectError(`the query failed: ${message}`, Code.InvalidArgument);
      } finally {
        timed.close();
      }
    },
  };
}
