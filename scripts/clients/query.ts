// scripts/clients/query.ts: one SELECT through the sink's QueryService (bun scripts/clients/query.ts "SQL")
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";

const token = process.env.STELLAR_FLOW_API_TOKEN;
const transport = createConnectTransport({
  baseUrl: process.env.SINK_URL ?? "http://127.0.0.1:8090",
  interceptors: token ? [(next) => (request) => (request.header.set("Authorization", `Bearer ${token}`), next(request))] : [],
});
const sql = process.argv[2] ?? "SELECT event_type, count(*) AS events FROM ttp_events GROUP BY ALL ORDER BY events DESC";
const answer = await createClient(QueryService, transport).query({ sql, maxRows: 100 });
console.log(answer.columns.map((column) => `${column.name} ${column.type}`).join("\t"));
for (const row of answer.rows) console.log(row.values.map((value) => value.text ?? "NULL").join("\t"));
if (answer.truncated) console.log("(truncated)");
