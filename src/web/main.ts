// The dashboard: components and health, throughput, live events, SQL, a ledger inspected in the page. Bundled by Bun.build at
// serve time (src/sink/services/dashboard-routes.ts); everything comes from the serving origin.
import { startComponentsPanel } from "./components-panel.ts";
import { byId } from "./dom.ts";
import { startEventsPanel } from "./events-panel.ts";
import { startInspectPanel } from "./inspect-panel.ts";
import { startSqlPanel } from "./sql-panel.ts";
import { throughputChart } from "./throughput-chart.ts";
import { pageTransport } from "./transport.ts";

const transport = pageTransport();
const chart = throughputChart();
startComponentsPanel(transport, chart);
startEventsPanel(transport);
startSqlPanel(transport);
startInspectPanel();
byId("status").textContent = location.host;
