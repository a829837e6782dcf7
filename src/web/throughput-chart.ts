// Throughput over time: the serving sink's ledgers/s and events/s, sampled from its /health each
// second (./live-status.ts). Axes and units are drawn from the first second; when nothing is live
// (a database served without a pipeline, a finished run, a server that is gone) the chart says so
// instead of waiting.
import type { DashboardConfig } from "./dashboard-config.ts";
import type { LiveReport } from "./live-status.ts";
import { byId } from "./dom.ts";
import { drawAxes, niceScale, plotMessage, resetSvg, svgElement, type Plot } from "./svg-chart.ts";

interface Point {
  readonly at: number;
  readonly ledgers: number;
  readonly events: number;
}

const WINDOW_MS = 5 * 60_000;
const HEIGHT = 200;
const LEDGERS_COLOR = "#1a73e8";
const EVENTS_COLOR = "#c25400";

export type ChartState = "waiting" | "live" | "nothing-live" | "finished" | "failed" | "unreachable";

/** The chart's state and message from what the page knows: the server's configuration and its last report. */
export function chartState(config: DashboardConfig | null | undefined, last: LiveReport | null): { state: ChartState; message: string | null } {
  if (last && !last.reachable) return { state: "unreachable", message: `nothing live: the server does not answer (${last.error})` };
  if (config && !config.live) return { state: "nothing-live", message: "nothing live: this server serves its database, and no pipeline writes to it" };
  if (!last) return { state: "waiting", message: "reading the sink's throughput…" };
  if (last.state === "finished") return { state: "finished", message: "the run has finished: nothing live" };
  if (last.state === "failed") return { state: "failed", message: `the run failed: ${last.error ?? "see the sink's log"}` };
  return { state: "live", message: null };
}

/** x ticks every 15, 30 or 60 s across `spanMs`, labelled in seconds before now. */
function timeTicks(spanMs: number): { at: number; label: string }[] {
  const step = spanMs <= 60_000 ? 15_000 : spanMs <= 120_000 ? 30_000 : 60_000;
  const ticks: { at: number; label: string }[] = [];
  for (let ago = spanMs; ago >= 0; ago -= step) ticks.push({ at: 1 - ago / spanMs, label: ago === 0 ? "now" : `-${Math.round(ago / 1000)} s` });
  return ticks;
}

export interface ThroughputChart {
  report(report: LiveReport): void;
  configured(config: DashboardConfig | null): void;
}

export function throughputChart(): ThroughputChart {
  const svg = byId("throughput") as unknown as SVGSVGElement;
  const legend = byId("throughput-now");
  const points: Point[] = [];
  let config: DashboardConfig | null | undefined;
  let last: LiveReport | null = null;

  const draw = () => {
    const now = Date.now();
    while (points.length > 0 && now - points[0]!.at > WINDOW_MS) points.shift();
    const width = resetSvg(svg, 900, HEIGHT);
    const plot: Plot = { x: 52, y: 22, width: width - 52 - 56, height: HEIGHT - 22 - 40 };
    // the window grows with the data, from one minute to five
    const span = Math.min(WINDOW_MS, Math.max(60_000, points.length > 0 ? Math.ceil((now - points[0]!.at) / 60_000) * 60_000 : 0));
    const ledgerScale = niceScale(Math.max(...points.map((p) => p.ledgers), 0) * 1.05, 4);
    const eventScale = niceScale(Math.max(...points.map((p) => p.events), 0) * 1.05, 4);
    const ticks = timeTicks(span);
    drawAxes(svg, plot, {
      left: { scale: ledgerScale, title: "ledgers/s", color: LEDGERS_COLOR },
      right: { scale: eventScale, title: "events/s", color: EVENTS_COLOR },
      xTicks: ticks,
      xTitle: "time (seconds before now)",
    });
    for (const [key, scale, color] of [["ledgers", ledgerScale, LEDGERS_COLOR], ["events", eventScale, EVENTS_COLOR]] as const) {
      const coordinates = points.map((p) => `${(plot.x + plot.width * (1 - (now - p.at) / span)).toFixed(1)},${(plot.y + plot.height * (1 - p[key] / scale.top)).toFixed(1)}`);
      if (coordinates.length > 0) svg.append(svgElement("polyline", { points: coordinates.join(" "), fill: "none", stroke: color, "stroke-width": 2, class: `series ${key}` }));
    }
    const { state, message } = chartState(config, last);
    if (message && !(state === "live" && points.length > 0)) plotMessage(svg, plot, message);
    const latest = points[points.length - 1];
    svg.dataset["state"] = state;
    svg.dataset["points"] = String(points.length);
    svg.dataset["xTicks"] = ticks.map((t) => t.label).join(",");
    if (latest) {
      svg.dataset["ledgersPerSecond"] = String(latest.ledgers);
      svg.dataset["eventsPerSecond"] = String(latest.events);
    }
    legend.textContent = latest && state === "live" ? `now: ${latest.ledgers.toFixed(1)} ledgers/s, ${latest.events.toFixed(1)} events/s` : "";
  };
  draw();
  setInterval(draw, 1000);
  return {
    report(report) {
      last = report;
      // a sample only while something is live: a served database or a finished run adds nothing
      if (report.reachable && (report.state === "running" || report.state === "starting") && config?.live !== false) points.push({ at: report.at, ledgers: report.ledgersPerSecond, events: report.eventsPerSecond });
      draw();
    },
    configured(loaded) {
      config = loaded;
      draw();
    },
  };
}
