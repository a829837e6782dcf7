// A help text's flag sections, kept to the flags a command takes: `bun run source --help` shows the
// source flags of `bun run pipeline`, not the whole pipeline's. A help text is read as sections: a
// header line (no indent), then entries ("  --flag ..." or "  -h, --help ...", continued on lines
// indented deeper) or prose (indented lines before any entry); a blank line ends a section.

interface Section {
  readonly lines: string[];
  /** Each entry: its flag name and its lines. */
  readonly entries: { readonly flag: string; readonly lines: string[] }[];
}

const ENTRY = /^ {2}(?:-\w, )?--([a-z][a-z0-9-]*)/;

function sectionsOf(help: string): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  for (const line of help.split("\n")) {
    if (line.trim() === "") {
      current = null;
      continue;
    }
    if (!line.startsWith(" ")) {
      current = { lines: [line], entries: [] };
      sections.push(current);
      continue;
    }
    if (current === null) continue; // indented text outside a section (none in our help texts)
    const entry = ENTRY.exec(line);
    if (entry) current.entries.push({ flag: entry[1]!, lines: [line] });
    else if (current.entries.length > 0) current.entries[current.entries.length - 1]!.lines.push(line);
    else current.lines.push(line);
  }
  return sections;
}

/**
 * The sections of `help` that hold flags, each with only the entries of the flags `takes` accepts
 * (a section left with none is dropped), plus the prose sections whose header `keepProse` accepts.
 */
export function flagSections(help: string, takes: (flag: string) => boolean, keepProse: (header: string) => boolean = () => false): string {
  const out: string[] = [];
  for (const section of sectionsOf(help)) {
    if (section.entries.length === 0) {
      if (keepProse(section.lines[0]!)) out.push(...section.lines);
      continue;
    }
    const kept = section.entries.filter((entry) => takes(entry.flag));
    if (kept.length === 0) continue;
    out.push(...section.lines, ...kept.flatMap((entry) => entry.lines));
  }
  return out.join("\n");
}
