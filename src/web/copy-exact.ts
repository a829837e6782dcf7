// Copying from the dashboard's tables puts the exact values on the clipboard: a cell that shows a
// formatted amount, a shortened address or hash, or an asset's code holds the stored value in
// data-copy, and a selection over such cells is copied as those values (cells joined by tabs,
// rows by newlines, as a spreadsheet pastes them). Other selections copy as the browser would.

/**
 * Whether `cell` is in the selection: wholly, or through some of its text (a selection that ends
 * at the very start of the next cell, as a triple click leaves it, does not take that cell).
 */
function selected(range: Range, cell: HTMLTableCellElement): boolean {
  const contents = cell.ownerDocument.createRange();
  contents.selectNodeContents(cell);
  const whole = range.compareBoundaryPoints(Range.START_TO_START, contents) <= 0 && range.compareBoundaryPoints(Range.END_TO_END, contents) >= 0;
  if (whole) return true;
  if (range.compareBoundaryPoints(Range.START_TO_START, contents) > 0) contents.setStart(range.startContainer, range.startOffset);
  if (range.compareBoundaryPoints(Range.END_TO_END, contents) < 0) contents.setEnd(range.endContainer, range.endOffset);
  return contents.toString().trim() !== "";
}

/** The text a copy of `selection` should put on the clipboard, or null to leave it to the browser. */
export function exactCopyText(selection: Selection, root: ParentNode): string | null {
  if (selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  let exact = false;
  const lines: string[] = [];
  for (const row of root.querySelectorAll<HTMLTableRowElement>("table tbody tr")) {
    if (!selection.containsNode(row, true)) continue;
    const cells = [...row.cells].filter((cell) => selected(range, cell));
    if (cells.length === 0) continue;
    lines.push(
      cells
        .map((cell) => {
          const value = cell.dataset["copy"];
          if (value !== undefined) exact = true;
          return value ?? (cell.textContent ?? "").trim();
        })
        .join("\t"),
    );
  }
  return exact ? lines.join("\n") : null;
}

export function copyExactValues(document: Document): void {
  document.addEventListener("copy", (event) => {
    const selection = document.getSelection();
    const text = selection ? exactCopyText(selection, document) : null;
    if (text === null || !event.clipboardData) return;
    event.clipboardData.setData("text/plain", text);
    event.preventDefault();
  });
}
