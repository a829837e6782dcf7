// Prometheus text exposition format (version 0.0.4): metric families of counters, gauges and
// histograms, each sample with its labels. Names, label names and counter suffixes are checked, so
// a mistake shows up in the first test that renders it, not in a scrape that Prometheus refuses.

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** The sample's own name when it differs from the family's (a histogram's `_bucket`, `_sum`, `_count`). */
  readonly name?: string;
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  /** Counters end in `_total`; a histogram's samples add `_bucket`, `_sum` and `_count` to it. */
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  /** No samples: only HELP and TYPE are written (a gauge with nothing to say, e.g. no target yet). */
  readonly samples: readonly Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

const escapeHelp = (help: string) => help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabelValue = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function formatLabels(family: string, labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  for (const [name] of entries) {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) throw new Error(`${family}: "${name}" is not a valid Prometheus label name`);
  }
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

function checkSampleName(family: MetricFamily, name: string): void {
  const allowed = family.type === "histogram" ? [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`] : [family.name];
  if (!allowed.includes(name)) throw new Error(`${family.type} ${family.name} cannot hold a sample named ${name}`);
}

export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const family of families) {
    if (!NAME.test(family.name)) throw new Error(`"${family.name}" is not a valid Prometheus metric name`);
    if (family.type === "counter" && !family.name.endsWith("_total")) throw new Error(`counter ${family.name} must end in _total`);
    if (family.type !== "counter" && family.name.endsWith("_total")) throw new Error(`${family.type} ${family.name} must not end in _total (that suffix is for counters)`);
    if (seen.has(family.name)) throw new Error(`metric family ${family.name} is rendered twice`);
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const name = sample.name ?? family.name;
      checkSampleName(family, name);
      lines.push(`${name}${formatLabels(family.name, sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return lines.join("\n") + "\n";
}
