// `bun run query --url`: one SQL statement through the QueryService of a running sink (the file is
// the sink's to write while it runs), its answer in the shape of a file query's result.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { QueryService } from "../../gen/stellarflow/v1/query_service_pb.ts";
import type { QueryResultText } from "./render-result.ts";

export interface RemoteQueryOptions {
  /** STELLAR_FLOW_API_TOKEN of the sink, sent as a bearer token; null: none. */
  readonly token: string | null;
  /** The whole call, connection included. */
  readonly timeoutMs: number;
}

/** The result of `sql` from the sink at `url` (its base URL, e.g. http://127.0.0.1:8090); throws an Error saying what went wrong there. */
export async function querySink(url: string, sql: string, options: RemoteQueryOptions): Promise<QueryResultText> {
  const token = options.token;
  const client = createClient(
    QueryService,
    createConnectTransport({
      baseUrl: url,
      useBinaryFormat: true,
      interceptors: token ? [(next) => (request) => (request.header.set("Authorization", `Bearer ${token}`), next(request))] : [],
    }),
  );
  let response;
  try {
    response = await client.query({ sql }, { timeoutMs: options.timeoutMs });
  } catch (error) {
    throw new Error(remoteFailure(url, error, options), { cause: error });
  }
  return {
    columns: response.columns.map((column) => ({ name: column.name, type: column.type })),
    rows: response.rows.map((row) => row.values.map((value) => value.text ?? null)),
    truncated: response.truncated,
  };
}

function remoteFailure(url: string, error: unknown, options: RemoteQueryOptions): string {
  const e = ConnectError.from(error);
  switch (e.code) {
    case Code.Unauthenticated:
      return options.token
        ? `the sink at ${url} refused the token (STELLAR_FLOW_API_TOKEN or --token): ${e.rawMessage}`
        : `the sink at ${url} wants a token: set STELLAR_FLOW_API_TOKEN or give --token`;
    case Code.NotFound:
    case Code.Unimplemented:
      return `${url} serves no QueryService: give the sink's address (its port, 8090 by default; bun run pipeline prints where its /health is)`;
    case Code.DeadlineExceeded:
      return e.rawMessage.includes("the query") ? `the sink at ${url}: ${e.rawMessage}` : `no answer from the sink at ${url} within ${options.timeoutMs / 1000} s`;
    case Code.Unavailable:
    case Code.Unknown:
    case Code.Internal:
      if (/ECONNREFUSED/.test(e.rawMessage)) return `nothing listens at ${url} (connection refused): is the pipeline or sink running, and is this its port?`;
      return `cannot query the sink at ${url}: ${e.rawMessage}`;
    default:
      return `the sink at ${url} refused the query (${Code[e.code]}): ${e.rawMessage}`;
  }
}
