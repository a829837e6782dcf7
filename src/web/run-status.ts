// The header's line about the run: what the serving sink is doing (starting, running through ledger
// N of M, finished, failed), that it only serves its database, or that it stopped answering.
import type { DashboardConfig } from "./dashboard-config.ts";
import type { LiveReport } from "./live-status.ts";

export function runStatusText(config: DashboardConfig | null | undefined, report: LiveReport): { state: string; text: string } {
  if (!report.reachable) {
    const next = report.retryInMs === null ? "gave up asking: reload the page to try again" : `asking again in ${Math.round(report.retryInMs / 1000)} s`;
    return { state: "unreachable", text: `the server does not answer (${report.error}); ${next}` };
  }
  const through = report.lastLedger === null ? "nothing committed yet" : `through ledger ${report.lastLedger}`;
  if (config && !config.live) return { state: "served", text: `serving its database (${through}); no pipeline writes to it` };
  switch (report.state) {
    case "starting":
      return { state: "starting", text: `starting: ${through}, waiting for the next ledger` };
    case "running": {
      const target = report.targetLedger === null ? "following the network" : `of ${report.targetLedger}`;
      const at = report.lastLedger === null ? "waiting for the first ledger" : `ledger ${report.lastLedger} ${target}`;
      return { state: "running", text: `running: ${at} · ${report.ledgersPerSecond.toFixed(1)} ledgers/s · ${report.eventsPerSecond.toFixed(1)} events/s` };
    }
    case "finished":
      return { state: "finished", text: `finished: ${through}` };
    case "failed":
      return { state: "failed", text: `failed: ${report.error ?? "see the sink's log"} (${through})` };
    default:
      return { state: report.state, text: `${report.state}: ${through}` };
  }
}

export function showRunStatus(element: HTMLElement, config: DashboardConfig | null | undefined, report: LiveReport): void {
  const { state, text } = runStatusText(config, report);
  element.textContent = text;
  element.dataset["state"] = state;
  element.className = state === "unreachable" || state === "failed" ? "run error" : "run";
}
