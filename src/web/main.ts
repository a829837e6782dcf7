// The dashboard: the run and its components, throughput, live events, volume by asset and type,
// SQL, a ledger inspected in the page. Bundled by Bun.build at serve time
// (src/sink/services/dashboard-routes.ts); everything comes from the serving origin.
import { startComponentsPanel } from "./components-panel.ts";
import { copyExactValues } from "./copy-exact.ts";
import { dashboardConfig } from "./dashboard-config.ts";
import { byId } from "./dom.ts";
import { startEventsPanel } from "./events-panel.ts";
import { startInspectPanel } from "./inspect-panel.ts";
import { watchLiveStatus } from "./live-status.ts";
import { showRunStatus } from "./run-status.ts";
import { startSqlPanel } from "./sql-panel.ts";
import { throughputChart } from "./throughput-chart.ts";
import { pageTransport } from "./transport.ts";
import { startVolumePanel } from "./volume-panel.ts";

/** The volume panel follows a live run, recomputed at most this often. */
const VOLUME_REFRESH_MS = 3000;

const transport = pageTransport();
byId("status").textContent = location.host;
copyExactValues(document);
const chart = throughputChart();
const components = startComponentsPanel(transport);
const events = startEventsPanel(transport);
const sql = startSqlPanel(transport);
const volume = startVolumePanel(transport, sql.edit);
startInspectPanel(events.filter);

const config = await dashboardConfig();
chart.configured(config);
const run = byId("run");
let volumeLedger: number | null = null;
let volumeAt = Date.now();
watchLiveStatus((report) => {
  chart.report(report);
  components.sinkReport(report);
  showRunStatus(run, config, report);
  if (report.reachable && report.lastLedger !== volumeLedger && Date.now() - volumeAt >= VOLUME_REFRESH_MS) {
    volumeLedger = report.lastLedger;
    volumeAt = Date.now();
    void volume.refresh();
  }
});
