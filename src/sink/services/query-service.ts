// QueryService: read-only SQL over the sink's database, on the query connections of its sandboxed
// instance, within the limits of ./query-limits.ts.
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { QueryResponseSchema, type QueryService } from "../../gen/stellarflow/v1/query_service_pb.ts";
import { readCapped } from "./capped-result.ts";
import type { QueryLimits } from "./query-limits.ts";
import type { QueryPool } from "./query-pool.ts";
import { prepareReadOnly } from "./read-only-sql.ts";
import { isConnectError } from "./refusal.ts";
import { connectWithTimeout, timeoutMessage } from "./timed-connection.ts";
import { messageOf } from "../../common/message-of.ts";

export function queryService(pool: QueryPool, limits: QueryLimits): ServiceImpl<typeof QueryService> {
  return {
    async query(request, context) {
      if (request.sql.length > limits.maxSqlLength) {
        throw new ConnectError(`sql is ${request.sql.length} characters long; at most ${limits.maxSqlLength} are accepted`, Code.InvalidArgument);
      }
      const maxRows = request.maxRows === 0 ? limits.maxRows : Math.min(request.maxRows, limits.maxRows);
      const started = performance.now();
      const timed = await connectWithTimeout(pool, limits.timeoutMs, context.signal);
      try {
        const prepared = await prepareReadOnly(timed.connection, request.sql);
        try {
          const result = await readCapped(prepared, { maxRows, maxBytes: limits.maxResultBytes }, timed.timedOut);
          return create(QueryResponseSchema, {
            columns: result.columns.map((column) => ({ name: column.name, type: column.type.toString() })),
            rows: result.rows.map((row) => ({ values: row.map((text) => (text === null ? {} : { text })) })),
            truncated: result.truncated,
            elapsedMs: performance.now() - started,
          });
        } finally {
          prepared.destroySync();
        }
      } catch (error) {
        if (isConnectError(error)) throw error;
        const message = messageOf(error);
        if (timed.timedOut() || /interrupt/i.test(message)) throw new ConnectError(timeoutMessage(limits.timeoutMs), Code.DeadlineExceeded);
        if (/permission|disabled by configuration/i.test(message)) throw new ConnectError(`refused: ${message}`, Code.PermissionDenied);
        throw new ConnectError(`the query failed: ${message}`, Code.InvalidArgument);
      } finally {
        timed.release();
      }
    },
  };
}
