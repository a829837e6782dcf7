// Prometheus text exposition format (version 0.0.4) for a flat list of counters and gauges.

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface MetricSample {
  /** Full metric name; counters end in `_total`. */
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

const escapeHelp = (help: string) => help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

export function renderPrometheus(samples: readonly MetricSample[]): string {
  const lines: string[] = [];
  for (const sample of samples) {
    if (!NAME.test(sample.name)) throw new Error(`"${sample.name}" is not a valid Prometheus metric name`);
    if (sample.type === "counter" && !sample.name.endsWith("_total")) throw new Error(`counter ${sample.name} must end in _total`);
    lines.push(`# HELP ${sample.name} ${escapeHelp(sample.help)}`, `# TYPE ${sample.name} ${sample.type}`, `${sample.name} ${formatValue(sample.value)}`);
  }
  return lines.join("\n") + "\n";
}
