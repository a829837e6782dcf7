// Throughput over time: the sink's ledgers/s and events/s from its heartbeats, on a canvas.
import { ServiceType, type ServiceStatus } from "../gen/flowctl/v1/flowctl_pb.ts";
import { byId } from "./dom.ts";

interface Point {
  readonly at: number;
  readonly ledgers: number;
  readonly events: number;
}

const WINDOW_MS = 5 * 60_000;

export function throughputChart(): (service: ServiceStatus) => void {
  const canvas = byId<HTMLCanvasElement>("throughput");
  const points: Point[] = [];
  const draw = () => {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 900;
    const height = canvas.clientHeight || 180;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const g = canvas.getContext("2d");
    if (!g) return;
    g.scale(ratio, ratio);
    g.clearRect(0, 0, width, height);
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = "#68727f";
    const now = Date.now();
    // the window grows with the data, from one minute to five
    const span = Math.min(WINDOW_MS, Math.max(60_000, points.length > 0 ? now - points[0]!.at : 0));
    const left = 48;
    const plot = { x: left, y: 8, w: width - left - 48, h: height - 28 };
    g.strokeStyle = "#dde1e7";
    g.strokeRect(plot.x, plot.y, plot.w, plot.h);
    if (points.length === 0) {
      g.fillText("waiting for the sink's heartbeats…", plot.x + 8, plot.y + 18);
      return;
    }
    const series = [
      { key: "ledgers" as const, color: "#1a73e8", axis: "left" },
      { key: "events" as const, color: "#e8710a", axis: "right" },
    ];
    for (const s of series) {
      const max = Math.max(1, ...points.map((p) => p[s.key])) * 1.1;
      g.fillStyle = s.color;
      g.fillText(max.toFixed(0), s.axis === "left" ? 4 : plot.x + plot.w + 4, plot.y + 10);
      g.strokeStyle = s.color;
      g.lineWidth = 2;
      g.beginPath();
      points.forEach((p, i) => {
        const x = plot.x + plot.w * (1 - (now - p.at) / span);
        const y = plot.y + plot.h * (1 - p[s.key] / max);
        if (i === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      });
      g.stroke();
    }
    g.fillStyle = "#68727f";
    g.fillText(`-${Math.round(span / 1000)} s`, plot.x, height - 6);
    g.fillText("now", plot.x + plot.w - 18, height - 6);
  };
  draw();
  setInterval(draw, 1000);
  return (service) => {
    if (service.service?.serviceType !== ServiceType.SINK) return;
    points.push({ at: Date.now(), ledgers: service.metrics["ledgers_per_second"] ?? 0, events: service.metrics["events_per_second"] ?? 0 });
    while (points.length > 0 && Date.now() - points[0]!.at > WINDOW_MS) points.shift();
    draw();
  };
}
