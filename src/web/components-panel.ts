// Components and their health, live from flowctl's WatchServices (through the server's proxy).
// When the watch breaks (the server or flowctl is gone) every component turns "unreachable": what
// the page last heard is no longer news. A server without flowctl says so once, in its own words;
// other failures are retried with backoff, a limited number of times.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { ChangeType, ControlPlaneService, HealthStatus, ServiceType, type ServiceStatus } from "../gen/flowctl/v1/flowctl_pb.ts";
import { byId } from "./dom.ts";
import type { LiveReport } from "./live-status.ts";
import { messageOf } from "../common/message-of.ts";

const COLUMNS = ["component", "type", "health", "ledger", "ledgers/s", "events/s", "heartbeat"] as const;
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 30_000;
/** Watches that fail in a row before the page stops asking. */
const MAX_ATTEMPTS = 25;

/** Refusals that asking again will not change. */
const FINAL_CODES = new Set([Code.FailedPrecondition, Code.Unimplemented, Code.PermissionDenied, Code.Unauthenticated]);

function td(label: string, text: string, className?: string): HTMLTableCellElement {
  const cell = document.createElement("td");
  cell.dataset["label"] = label;
  cell.textContent = text;
  if (className) cell.className = className;
  return cell;
}

/** The serving sink's figures from its /health, fresher than its last heartbeat. */
type SinkFigures = Extract<LiveReport, { reachable: true }>;

function componentRow(s: ServiceStatus, reachable: boolean, sink: SinkFigures | null): HTMLTableRowElement {
  const health = reachable ? (HealthStatus[s.status]?.toLowerCase() ?? "unknown") : "unreachable";
  const last = s.lastHeartbeat ? new Date(Number(s.lastHeartbeat.seconds) * 1000).toLocaleTimeString([], { hourCycle: "h23" }) : "";
  const own = reachable && sink !== null && sink.serviceId === s.service?.serviceId ? sink : null;
  const ledger = own ? own.lastLedger ?? 0 : s.metrics["current_ledger"] ?? 0;
  const values = [
    s.service?.componentId || s.service?.serviceId || "?",
    ServiceType[s.service?.serviceType ?? 0]?.toLowerCase() ?? "",
    health,
    ledger ? String(ledger) : "",
    (own ? own.ledgersPerSecond : s.metrics["ledgers_per_second"] ?? 0).toFixed(1),
    (own ? own.eventsPerSecond : s.metrics["events_per_second"] ?? 0).toFixed(1),
    last,
  ];
  const classes = [undefined, undefined, `health health-${health}`, "num", "num", "num", undefined];
  const tr = document.createElement("tr");
  tr.append(...COLUMNS.map((label, i) => td(label, values[i]!, classes[i])));
  tr.dataset["health"] = health;
  tr.dataset["type"] = values[1]!;
  if (!reachable) tr.title = "the page lost contact with flowctl: this is what it heard last";
  else if (own) tr.title = "ledger and rates from this sink's /health, each second; the rest from its last heartbeat";
  else tr.title = "figures from the component's last heartbeat";
  return tr;
}

export interface ComponentsPanel {
  /** The serving sink's own figures, shown in its row until the next report. */
  sinkReport(report: LiveReport): void;
}

export function startComponentsPanel(transport: Transport): ComponentsPanel {
  const client = createClient(ControlPlaneService, transport);
  const services = new Map<string, ServiceStatus>();
  const table = byId<HTMLTableElement>("components");
  const body = table.tBodies[0]!;
  const note = byId("components-note");
  let reachable = true;
  let sink: SinkFigures | null = null;

  const render = () => {
    const sorted = [...services.values()].sort((a, b) => (a.service?.serviceType ?? 0) - (b.service?.serviceType ?? 0));
    body.replaceChildren(...sorted.map((s) => componentRow(s, reachable, sink)));
    table.dataset["state"] = reachable ? "live" : "unreachable";
    table.hidden = sorted.length === 0 && !reachable; // no header over nothing
    if (reachable) {
      note.className = "muted";
      note.textContent = `${sorted.filter((s) => s.status === HealthStatus.HEALTHY).length} of ${sorted.length} healthy`;
    }
  };
  const lost = (text: string, final: boolean) => {
    reachable = false;
    render();
    note.className = final ? "muted" : "error";
    note.textContent = text;
    note.dataset["final"] = String(final);
  };

  let lostAt: string | null = null;
  const watch = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const change of client.watchServices({})) {
          attempt = 1;
          reachable = true;
          lostAt = null;
          if (change.change === ChangeType.SNAPSHOT) {
            services.clear();
            for (const s of change.services) services.set(s.service!.serviceId, s);
          } else if (change.service?.service) {
            const id = change.service.service.serviceId;
            if (change.change === ChangeType.UNREGISTERED || change.change === ChangeType.EVICTED) services.delete(id);
            else services.set(id, change.service);
          }
          render();
        }
        throw new ConnectError("flowctl ended the watch", Code.Unavailable);
      } catch (error) {
        const code = error instanceof ConnectError ? error.code : Code.Unknown;
        const message = error instanceof ConnectError ? error.rawMessage : messageOf(error);
        if (FINAL_CODES.has(code)) return lost(`flowctl: ${message}`, true);
        lostAt ??= new Date().toLocaleTimeString([], { hourCycle: "h23" });
        const since = lostAt;
        if (attempt >= MAX_ATTEMPTS) return lost(`no contact with flowctl since ${since} (${message}); gave up after ${attempt} tries: reload the page`, true);
        const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
        lost(`no contact with flowctl since ${since} (${message}); trying again in ${Math.round(wait / 1000)} s`, false);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };
  void watch();
  return {
    sinkReport(report) {
      sink = report.reachable ? report : null;
      if (services.size > 0) render();
    },
  };
}
