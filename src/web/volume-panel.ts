// Volume by asset and event type over the last ledgers held: a stacked bar chart per ledger (events
// of every asset, or the amounts of one asset in its units) and a table of totals per asset and
// type, both computed in SQL through QueryService (./volume-sql.ts). The SQL can be opened in the
// SQL box. While a run is live the panel follows it.
import { createClient, type Transport } from "@connectrpc/connect";
import { QueryService, type QueryResponse } from "../gen/stellarflow/v1/query_service_pb.ts";
import { amountView, assetView, baseUnitsToDecimal, groupThousands, STELLAR_DECIMALS } from "./amounts.ts";
import { byId, short } from "./dom.ts";
import { drawAxes, niceScale, plotMessage, resetSvg, svgElement, type Plot } from "./svg-chart.ts";
import { volumeSeriesSql, volumeTotalsSql, type AssetChoice } from "./volume-sql.ts";
import { messageOf } from "../common/message-of.ts";
import { PAGE_QUERY_TIMEOUT_MS } from "./dashboard-config.ts";

const TYPES = ["transfer", "mint", "burn", "clawback", "fee"] as const;
const TYPE_COLORS: Record<string, string> = { transfer: "#1a73e8", mint: "#188038", burn: "#c5221f", clawback: "#9334e6", fee: "#e37400" };
const HEIGHT = 220;
/** Bars at most: more ledgers than this are summed into consecutive groups. */
const MAX_BARS = 100;

interface SeriesRow {
  readonly ledger: number;
  readonly type: string | null;
  readonly events: number;
  /** Base units, exact. */
  readonly volume: string;
}

function rowsOf(result: QueryResponse): string[][] {
  return result.rows.map((r) => r.values.map((v) => v.text ?? ""));
}

function choiceKey(choice: AssetChoice): string {
  return choice.kind === "all" ? "" : choice.kind === "asset" ? `asset:${choice.asset}` : `contract:${choice.contract}`;
}

function choiceOf(key: string): AssetChoice {
  if (key.startsWith("asset:")) return { kind: "asset", asset: key.slice(6) };
  if (key.startsWith("contract:")) return { kind: "contract", contract: key.slice(9) };
  return { kind: "all" };
}

interface Slot {
  readonly first: number;
  readonly last: number;
  readonly events: Map<string, number>;
  readonly volume: Map<string, bigint>;
}

/** The ledgers' rows in at most MAX_BARS slots of consecutive ledgers held. */
function slotsOf(rows: readonly SeriesRow[]): Slot[] {
  const ledgers = [...new Set(rows.map((r) => r.ledger))].sort((a, b) => a - b);
  const size = Math.max(1, Math.ceil(ledgers.length / MAX_BARS));
  const slotOf = new Map(ledgers.map((ledger, i) => [ledger, Math.floor(i / size)]));
  const slots: Slot[] = [];
  for (let i = 0; i < ledgers.length; i += size) slots.push({ first: ledgers[i]!, last: ledgers[Math.min(i + size, ledgers.length) - 1]!, events: new Map(), volume: new Map() });
  for (const row of rows) {
    if (row.type === null) continue;
    const slot = slots[slotOf.get(row.ledger)!]!;
    slot.events.set(row.type, (slot.events.get(row.type) ?? 0) + row.events);
    slot.volume.set(row.type, (slot.volume.get(row.type) ?? 0n) + BigInt(row.volume));
  }
  return slots;
}

export interface VolumePanel {
  refresh(): Promise<void>;
}

export function startVolumePanel(transport: Transport, openInSql: (sql: string) => void): VolumePanel {
  const client = createClient(QueryService, transport);
  const form = byId<HTMLFormElement>("volume-form");
  const ledgersInput = form.elements.namedItem("ledgers") as HTMLSelectElement;
  const assetInput = form.elements.namedItem("asset") as HTMLSelectElement;
  const status = byId("volume-status");
  const svg = byId("volume-chart") as unknown as SVGSVGElement;
  const legend = byId("volume-legend");
  const totalsBody = byId<HTMLTableElement>("volume-totals").tBodies[0]!;
  let running: Promise<void> | null = null;

  const choice = () => choiceOf(assetInput.value);
  const unitOf = (c: AssetChoice) => (c.kind === "all" ? "events" : c.kind === "asset" ? assetView(c.asset, "").code : "base units");

  const drawChart = (rows: readonly SeriesRow[], c: AssetChoice, empty = "no ledgers held yet") => {
    const width = resetSvg(svg, 900, HEIGHT);
    const plot: Plot = { x: 64, y: 22, width: width - 64 - 16, height: HEIGHT - 22 - 40 };
    const slots = slotsOf(rows);
    const perSlot = slots.length > 0 && slots[0]!.last !== slots[0]!.first ? ` per ${Math.ceil(new Set(rows.map((r) => r.ledger)).size / slots.length)} ledgers` : " per ledger";
    const sevenDecimals = c.kind === "asset";
    const value = (slot: Slot, type: string): number => {
      if (c.kind === "all") return slot.events.get(type) ?? 0;
      const base = Number(slot.volume.get(type) ?? 0n);
      return Math.max(0, sevenDecimals ? base / 10 ** STELLAR_DECIMALS : base);
    };
    const totals = slots.map((slot) => TYPES.reduce((sum, type) => sum + value(slot, type), 0));
    const scale = niceScale(Math.max(0, ...totals), 4);
    // every slot labelled when the labels fit (about 90 px each), else a few evenly spaced
    const fit = Math.max(2, Math.floor(plot.width / 90));
    const labelled = slots.length <= fit ? slots.map((_, i) => i) : [...new Set(Array.from({ length: fit }, (_, k) => Math.round((k * (slots.length - 1)) / (fit - 1))))];
    const xTicks = labelled.map((i) => ({ at: (i + 0.5) / slots.length, label: String(slots[i]!.first) }));
    drawAxes(svg, plot, { left: { scale, title: `${unitOf(c)}${perSlot}` }, xTicks, xTitle: "ledger" });
    const band = plot.width / Math.max(1, slots.length);
    slots.forEach((slot, i) => {
      let y = plot.y + plot.height;
      const lines: string[] = [];
      for (const type of TYPES) {
        const v = value(slot, type);
        const events = slot.events.get(type) ?? 0;
        if (events === 0) continue;
        const exact = slot.volume.get(type) ?? 0n;
        const amount = c.kind === "all" ? "" : c.kind === "asset" ? `, ${baseUnitsToDecimal(exact.toString())} ${unitOf(c)}` : `, ${groupThousands(exact.toString())} base units`;
        lines.push(`${type}${type === "fee" && c.kind !== "all" ? " (net of refunds)" : ""}: ${events} events${amount}`);
        const h = (plot.height * v) / scale.top;
        if (h <= 0) continue;
        y -= h;
        const bar = svgElement("rect", { x: plot.x + i * band + band * 0.1, y, width: Math.max(1, band * 0.8), height: h, fill: TYPE_COLORS[type]!, class: `bar ${type}` });
        bar.dataset["ledger"] = String(slot.first);
        svg.append(bar);
      }
      const hover = svgElement("rect", { x: plot.x + i * band, y: plot.y, width: band, height: plot.height, fill: "transparent", class: "slot" });
      hover.append(svgElement("title", {}, `ledger ${slot.first}${slot.last !== slot.first ? `-${slot.last}` : ""}\n${lines.join("\n") || "no events"}`));
      svg.append(hover);
    });
    if (slots.length === 0) plotMessage(svg, plot, empty);
    svg.dataset["bars"] = String(slots.length);
    svg.dataset["unit"] = unitOf(c);
    legend.replaceChildren(
      ...TYPES.map((type) => {
        const key = document.createElement("span");
        key.className = "legend-item";
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = TYPE_COLORS[type]!;
        key.append(swatch, type === "fee" && c.kind !== "all" ? "fee (net of refunds)" : type);
        return key;
      }),
    );
  };

  const showTotals = (result: QueryResponse) => {
    const rows = rowsOf(result);
    const options = new Map<string, string>();
    totalsBody.replaceChildren(
      ...rows.map(([asset, contract, type, events, volume]) => {
        const view = assetView(asset || null, contract ?? "");
        const key = asset ? `asset:${asset}` : `contract:${contract}`;
        options.set(key, view.issuer ? `${view.code} ${short(view.issuer, 4)}` : view.code);
        const tr = document.createElement("tr");
        const assetCell = document.createElement("td");
        assetCell.dataset["label"] = "asset";
        assetCell.dataset["copy"] = asset || contract || "";
        const pick = document.createElement("button");
        pick.type = "button";
        pick.className = "link";
        pick.textContent = options.get(key)!;
        pick.title = `${asset || `a contract token: ${contract}`}\n(click: chart this asset's volume)`;
        pick.addEventListener("click", () => {
          assetInput.value = key;
          void refresh();
        });
        assetCell.append(pick);
        const typeCell = document.createElement("td");
        typeCell.dataset["label"] = "type";
        typeCell.textContent = type === "fee" ? "fee (net of refunds)" : type!;
        const eventsCell = document.createElement("td");
        eventsCell.dataset["label"] = "events";
        eventsCell.className = "num";
        eventsCell.textContent = groupThousands(events!);
        const amount = amountView(volume!, view);
        const volumeCell = document.createElement("td");
        volumeCell.dataset["label"] = "volume";
        volumeCell.dataset["copy"] = amount.exact;
        volumeCell.className = "num";
        volumeCell.title = `${amount.exact} ${view.sevenDecimals ? "stroops" : "base units"} (exact)`;
        volumeCell.textContent = `${amount.text} ${amount.unit}`;
        tr.append(assetCell, typeCell, eventsCell, volumeCell);
        return tr;
      }),
    );
    const selected = assetInput.value;
    assetInput.replaceChildren(new Option("all assets (events)", ""), ...[...options].map(([key, label]) => new Option(label, key)));
    if (selected && !options.has(selected)) assetInput.append(new Option(selected.replace(/^\w+:/, ""), selected));
    assetInput.value = selected;
  };

  const load = async () => {
    const ledgers = Number(ledgersInput.value);
    const c = choice();
    status.className = "muted";
    status.textContent = "computing…";
    try {
      const options = { timeoutMs: PAGE_QUERY_TIMEOUT_MS };
      const [totals, series] = await Promise.all([client.query({ sql: volumeTotalsSql(ledgers) }, options), client.query({ sql: volumeSeriesSql(ledgers, c) }, options)]);
      showTotals(totals);
      const rows = rowsOf(series).map(([ledger, type, events, volume]): SeriesRow => ({ ledger: Number(ledger), type: type || null, events: Number(events), volume: volume || "0" }));
      drawChart(rows, c);
      const held = new Set(rows.map((r) => r.ledger));
      status.textContent = held.size === 0 ? "no ledgers held yet" : `${held.size} ledgers held, ${Math.min(...held)}-${Math.max(...held)}, computed in ${(totals.elapsedMs + series.elapsedMs).toFixed(0)} ms`;
      status.dataset["ledgers"] = String(held.size);
    } catch (error) {
      status.className = "error";
      status.textContent = `the volume could not be computed: ${messageOf(error)}`;
    }
  };
  // a change made while a load runs (another asset, another window) is loaded once that one ends
  let again = false;
  const refresh = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = load().finally(() => {
      running = null;
      if (again) {
        again = false;
        void refresh();
      }
    });
    return running;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void refresh();
  });
  assetInput.addEventListener("change", () => void refresh());
  ledgersInput.addEventListener("change", () => void refresh());
  byId("volume-open-sql").addEventListener("click", () => openInSql(volumeSeriesSql(Number(ledgersInput.value), choice())));
  drawChart([], choice(), "computing…");
  void refresh();
  return { refresh };
}
