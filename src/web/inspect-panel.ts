// "Inspect a ledger": a ledger number read from the data lake the page is configured with (or any
// lake URL typed in), or a dropped .xdr.zst object, decoded in the page by the same core as the
// pipeline (src/lib: fzstd, the fast decoder, the TTP rules). Nothing goes through the server.
import { LedgerEventsDecoder, type DecodedLedger } from "../lib/decoded-ledger.ts";
import { openLake, type Lake } from "../lib/lake.ts";
import { portableAdapters } from "../lib/adapters.ts";
import { readLedgerObject } from "../lib/ledger-object.ts";
import { eventRows, isoTime, type EventRow } from "../lib/rows.ts";
import { byId } from "./dom.ts";
import { messageOf } from "../common/message-of.ts";
import { dashboardConfig } from "./dashboard-config.ts";
import { eventRow, MAX_SHOWN_ROWS, type EventView, type ViewFilter } from "./event-table.ts";

/** A dropped file is read whole into memory: refuse anything far past a real ledger object. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** The lake the page is configured with: ?lake= in its URL, else the server's (GET /dashboard/config). */
async function configuredLake(): Promise<string | null> {
  const fromUrl = new URL(location.href).searchParams.get("lake");
  if (fromUrl) return fromUrl;
  return (await dashboardConfig())?.datalake ?? null;
}

function viewOf(e: EventRow): EventView {
  return {
    ledger: e.ledger_sequence,
    index: e.event_index,
    type: e.event_type,
    from: e.from_address,
    to: e.to_address,
    asset: e.asset,
    amount: e.amount,
    tx: e.tx_hash,
    contract: e.contract_address,
  };
}

function show(ledgers: readonly DecodedLedger[], source: string, onFilter: (filter: ViewFilter) => void): void {
  const body = byId<HTMLTableElement>("inspect-events").tBodies[0]!;
  const rows = ledgers.flatMap((ledger) => eventRows(ledger.events));
  body.replaceChildren(...rows.slice(0, MAX_SHOWN_ROWS).map((e) => eventRow(viewOf(e), onFilter)));
  const summary = byId("inspect-summary");
  summary.replaceChildren(
    ...ledgers.map(({ summary: l }) => {
      const line = document.createElement("div");
      line.textContent =
        `ledger ${l.sequence} (protocol ${l.protocolVersion}, closed ${isoTime(l.closedAt)}): ` +
        `${l.successfulTxCount + l.failedTxCount} transactions (${l.failedTxCount} failed), ${l.operationCount} operations, ${l.eventCount} events; hash ${l.hash}`;
      return line;
    }),
  );
  const status = byId("inspect-status");
  status.className = "muted";
  status.dataset.count = String(rows.length);
  status.dataset.ledgers = ledgers.map((l) => l.summary.sequence).join(",");
  status.textContent = `${rows.length} events from ${source}${rows.length > MAX_SHOWN_ROWS ? ` (first ${MAX_SHOWN_ROWS} shown)` : ""}`;
}

function fail(error: unknown): void {
  const status = byId("inspect-status");
  status.className = "error";
  delete status.dataset.count;
  status.dataset.error = "true";
  status.textContent = messageOf(error);
  byId("inspect-summary").replaceChildren();
  byId<HTMLTableElement>("inspect-events").tBodies[0]!.replaceChildren();
}

function busy(text: string): void {
  const status = byId("inspect-status");
  status.className = "muted";
  delete status.dataset.count;
  delete status.dataset.error;
  status.textContent = text;
}

/** `onFilter`: a click on an account, asset, contract or transaction shows its events in the live view. */
export function startInspectPanel(onFilter: (filter: ViewFilter) => void): void {
  const form = byId<HTMLFormElement>("inspect-form");
  const lakeInput = form.elements.namedItem("lake") as HTMLInputElement;
  const checkInput = form.elements.namedItem("tx_set_check") as HTMLInputElement;
  const networkInput = form.elements.namedItem("network") as HTMLSelectElement;
  void configuredLake().then((lake) => {
    if (lake && lakeInput.value === "") lakeInput.value = lake;
  });
  let opened: { key: string; lake: Promise<Lake> } | null = null;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const text = String(data.get("ledger") ?? "").trim();
    const sequence = Number(text);
    const url = lakeInput.value.trim();
    if (!/^\d+$/.test(text) || sequence < 1 || sequence > 0xffffffff) return fail(new Error(`${JSON.stringify(text)} is not a ledger sequence`));
    if (!/^https?:\/\//i.test(url)) return fail(new Error("give the http(s) URL of a data lake (the page reads it over fetch)"));
    const key = `${url}|${checkInput.checked}`;
    if (opened?.key !== key) opened = { key, lake: openLake(url, { ...portableAdapters, checkTxSet: checkInput.checked }) };
    opened.lake.catch(() => (opened = null));
    busy(`reading ledger ${sequence} from ${url}…`);
    void opened.lake
      .then(async (lake) => {
        // a file dropped next is most likely of the same network
        if ([...networkInput.options].some((o) => o.value === lake.networkPassphrase)) networkInput.value = lake.networkPassphrase;
        show([await lake.ledger(sequence)], lake.objectLocation(sequence), onFilter);
      })
      .catch(fail);
  });

  const readFile = async (file: File) => {
    if (file.size > MAX_FILE_BYTES) throw new Error(`${file.name} is ${file.size} bytes: a ledger object is a few MB at most`);
    busy(`decoding ${file.name}…`);
    const ledgers = await readLedgerObject(new Uint8Array(await file.arrayBuffer()), file.name, portableAdapters);
    const decoder = new LedgerEventsDecoder({ network: networkInput.value, checkTxSet: checkInput.checked });
    show(ledgers.map((ledger) => decoder.decode(ledger.xdr, file.name, ledger.sequence)), file.name, onFilter);
  };
  const drop = byId("inspect-drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const file = event.dataTransfer?.files[0];
    if (file) readFile(file).catch(fail);
  });
  const picker = byId<HTMLInputElement>("inspect-file");
  picker.addEventListener("change", () => {
    const file = picker.files?.[0];
    if (file) readFile(file).catch(fail);
  });
}

