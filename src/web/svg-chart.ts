// The dashboard's charts as SVG built in the page (no library): a plot area with axes, ticks and
// unit titles, drawn before there is any data, then lines or stacked bars. Values on the axes are
// for the eye (numbers); exact amounts go in the bars' titles.

const SVG_NS = "http://www.w3.org/2000/svg";

export interface Plot {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Scale {
  /** The top of the axis: a round value at or above the data's maximum. */
  readonly top: number;
  readonly ticks: readonly number[];
}

/** 0 to a round top (1, 2 or 5 times a power of ten per step) at or above `max`, in about `count` steps. */
export function niceScale(max: number, count = 4): Scale {
  const target = Number.isFinite(max) && max > 0 ? max : 1;
  const raw = target / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const steps = Math.max(1, Math.ceil(target / step - 1e-9));
  const ticks = Array.from({ length: steps + 1 }, (_, i) => round(i * step));
  return { top: ticks[ticks.length - 1]!, ticks };
}

function round(value: number): number {
  return Number(value.toPrecision(12));
}

/** 1234 -> "1.2k", 0.5 -> "0.5", 2500000 -> "2.5M": tick labels. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  for (const [limit, suffix] of [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
    if (abs >= limit) return `${round(value / limit).toLocaleString("en-US", { maximumFractionDigits: 1 })}${suffix}`;
  }
  return value.toLocaleString("en-US", { maximumFractionDigits: abs < 1 ? 2 : 1 });
}

export function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export interface Axis {
  readonly scale: Scale;
  /** The unit, written above the axis: "ledgers/s", "XLM per ledger". */
  readonly title: string;
  readonly color?: string;
}

export interface AxesSpec {
  readonly left: Axis;
  readonly right?: Axis;
  /** Positions (0..1 along the plot) and labels of the x axis. */
  readonly xTicks: readonly { readonly at: number; readonly label: string }[];
  readonly xTitle: string;
}

/** Axes, grid lines, tick labels and unit titles of `plot` into `svg`. */
export function drawAxes(svg: SVGSVGElement, plot: Plot, spec: AxesSpec): void {
  const axes = svgElement("g", { class: "axes" });
  axes.append(svgElement("rect", { x: plot.x, y: plot.y, width: plot.width, height: plot.height, class: "plot-frame" }));
  const yOf = (scale: Scale, value: number) => plot.y + plot.height * (1 - value / scale.top);
  for (const tick of spec.left.scale.ticks) {
    const y = yOf(spec.left.scale, tick);
    if (tick > 0) axes.append(svgElement("line", { x1: plot.x, x2: plot.x + plot.width, y1: y, y2: y, class: "grid" }));
    axes.append(svgElement("text", { x: plot.x - 4, y: y + 4, "text-anchor": "end", class: "tick left", fill: spec.left.color ?? "currentColor" }, compactNumber(tick)));
  }
  axes.append(svgElement("text", { x: plot.x, y: plot.y - 6, "text-anchor": "start", class: "axis-title left", fill: spec.left.color ?? "currentColor" }, spec.left.title));
  if (spec.right) {
    for (const tick of spec.right.scale.ticks) {
      const y = yOf(spec.right.scale, tick);
      axes.append(svgElement("text", { x: plot.x + plot.width + 4, y: y + 4, "text-anchor": "start", class: "tick right", fill: spec.right.color ?? "currentColor" }, compactNumber(tick)));
    }
    axes.append(svgElement("text", { x: plot.x + plot.width, y: plot.y - 6, "text-anchor": "end", class: "axis-title right", fill: spec.right.color ?? "currentColor" }, spec.right.title));
  }
  const bottom = plot.y + plot.height;
  for (const tick of spec.xTicks) {
    const x = plot.x + plot.width * tick.at;
    axes.append(svgElement("line", { x1: x, x2: x, y1: bottom, y2: bottom + 4, class: "tick-mark" }));
    const anchor = tick.at <= 0.02 ? "start" : tick.at >= 0.98 ? "end" : "middle";
    axes.append(svgElement("text", { x, y: bottom + 16, "text-anchor": anchor, class: "tick x" }, tick.label));
  }
  axes.append(svgElement("text", { x: plot.x + plot.width / 2, y: bottom + 30, "text-anchor": "middle", class: "axis-title x" }, spec.xTitle));
  svg.append(axes);
}

/** A message across the plot area (no data yet, nothing live), in as many lines as its width needs. */
export function plotMessage(svg: SVGSVGElement, plot: Plot, text: string): void {
  const perLine = Math.max(16, Math.floor(plot.width / 7)); // about 7 px per character at 13 px
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= perLine) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  const message = svgElement("text", { x: plot.x + plot.width / 2, y: plot.y + plot.height / 2 - ((lines.length - 1) * 16) / 2, "text-anchor": "middle", class: "plot-message" });
  // a space at each break, so that the text reads whole (its textContent, a screen reader)
  lines.forEach((line, i) => message.append(svgElement("tspan", { x: plot.x + plot.width / 2, dy: i === 0 ? 0 : 16 }, i < lines.length - 1 ? `${line} ` : line)));
  svg.append(message);
}

/** An empty chart sized to its container's width. */
export function resetSvg(svg: SVGSVGElement, fallbackWidth: number, height: number): number {
  const width = Math.max(240, Math.round(svg.parentElement?.clientWidth ?? fallbackWidth) || fallbackWidth);
  svg.replaceChildren();
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  return width;
}
