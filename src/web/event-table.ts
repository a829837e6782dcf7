// The rows of an event table (the live events and an inspected ledger): amounts in asset units,
// fee refunds named, assets as CODE plus a shortened issuer, and accounts, assets, contracts and
// transactions as buttons that filter the live view. Every shortened or formatted cell keeps its
// exact value in its title and in data-copy (what copying it puts on the clipboard).
import { amountView, assetView } from "./amounts.ts";
import { short } from "./dom.ts";

/** One event as both tables show it, whatever it came from (EventService, the page's own decoder). */
export interface EventView {
  readonly ledger: number;
  readonly index: number;
  readonly type: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly asset: string | null;
  /** Base units as decimal text (exact). */
  readonly amount: string;
  readonly tx: string;
  readonly contract: string;
}

/** What a click on a cell asks the live view to show. */
export type ViewFilter =
  | { readonly kind: "account" | "asset" | "contract"; readonly value: string }
  | { readonly kind: "tx"; readonly value: string; readonly ledger: number };

/** Rows an event table keeps (the newest live ones, the first of an inspected ledger). */
export const MAX_SHOWN_ROWS = 500;

/** A fee event with a negative amount gives back part of a fee charged before (Soroban refunds). */
export function isRefund(e: Pick<EventView, "type" | "amount">): boolean {
  return e.type === "fee" && e.amount.startsWith("-");
}

function td(label: string, className?: string): HTMLTableCellElement {
  const cell = document.createElement("td");
  cell.dataset["label"] = label;
  if (className) cell.className = className;
  return cell;
}

function filterButton(text: string, title: string, filter: ViewFilter, onFilter: ((filter: ViewFilter) => void) | undefined): HTMLElement {
  const button = document.createElement(onFilter ? "button" : "span");
  button.textContent = text;
  button.title = onFilter ? `${title}\n(click: show only its events)` : title;
  if (onFilter) {
    (button as HTMLButtonElement).type = "button";
    button.className = "link";
    button.dataset["filter"] = filter.kind;
    button.addEventListener("click", () => onFilter(filter));
  }
  return button;
}

function addressCell(label: string, address: string | null, onFilter?: (filter: ViewFilter) => void): HTMLTableCellElement {
  const cell = td(label, "mono");
  if (address) {
    cell.dataset["copy"] = address;
    cell.append(filterButton(short(address), address, { kind: "account", value: address }, onFilter));
  }
  return cell;
}

function assetCell(e: EventView, onFilter?: (filter: ViewFilter) => void): HTMLTableCellElement {
  const asset = assetView(e.asset, e.contract);
  const cell = td("asset");
  cell.dataset["copy"] = asset.asset ?? e.contract;
  const filter: ViewFilter = asset.asset ? { kind: "asset", value: asset.asset } : { kind: "contract", value: e.contract };
  const title = asset.asset === "native" ? "native (XLM)" : asset.asset ?? `a contract token: ${e.contract}`;
  const button = filterButton(asset.code, title, filter, onFilter);
  if (asset.issuer) {
    const issuer = document.createElement("span");
    issuer.className = "issuer mono";
    issuer.textContent = ` ${short(asset.issuer, 4)}`;
    button.append(issuer);
  }
  cell.append(button);
  return cell;
}

function amountCell(e: EventView): HTMLTableCellElement {
  const amount = amountView(e.amount, assetView(e.asset, e.contract));
  const cell = td("amount", "num");
  cell.dataset["copy"] = amount.exact;
  cell.title = `${amount.exact} ${amount.unit === "base units" ? "base units" : "stroops"} (exact)`;
  const value = document.createElement("span");
  const digits = document.createElement("span");
  digits.className = "mono";
  digits.textContent = amount.text;
  const unit = document.createElement("span");
  unit.className = "unit";
  unit.textContent = ` ${amount.unit}`;
  value.append(digits, unit);
  cell.append(value);
  return cell;
}

export function eventRow(e: EventView, onFilter?: (filter: ViewFilter) => void): HTMLTableRowElement {
  const ledger = td("ledger", "num");
  ledger.textContent = String(e.ledger);
  const index = td("#", "num");
  index.textContent = String(e.index);
  const type = td("type");
  const refund = isRefund(e);
  type.textContent = refund ? "fee refund" : e.type;
  if (refund) {
    type.className = "refund";
    type.title = "a fee refund: the part of the fee charged earlier in the ledger that the network gives back";
  }
  const tx = td("tx", "mono");
  tx.dataset["copy"] = e.tx;
  tx.append(filterButton(short(e.tx, 6), e.tx, { kind: "tx", value: e.tx, ledger: e.ledger }, onFilter));
  const row = document.createElement("tr");
  row.append(ledger, index, type, addressCell("from", e.from, onFilter), addressCell("to", e.to, onFilter), assetCell(e, onFilter), amountCell(e), tx);
  if (refund) row.dataset["refund"] = "true";
  return row;
}
