// The layout's import rules, checked over a source tree (the repository, or a test's own fixture):
//   - src/stellar, src/ttp and src/arrow (the portable core) and src/common use web-standard APIs only:
//     no bun, bun:*, node:*, @duckdb/*, Bun.*, process, Buffer or require; and they import no src
//     folder above them (stellar < ttp < arrow; common, below all, imports none);
//   - nothing imports src/cli/ (argument parsing and wiring) but src/cli itself, the other commands
//     (scripts/: bench, chaos, gen, ... read their flags as the pipeline's do) and the tests;
//   - nothing outside src/sink imports its DuckDB implementation (src/sink/duckdb/; scripts: DuckDbSink):
//     openSink picks it;
//   - scripts/ imports nothing from tests/.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** Folders of the portable core, lowest first: each may import the ones before it. */
const CORE = ["common", "stellar", "ttp", "arrow"] as const;

const RUNTIME_USES: [RegExp, string][] = [
  [/\bBun\./, "uses Bun.*"],
  [/\bprocess\./, "uses process"],
  [/\bBuffer\./, "uses Buffer"],
  [/\brequire\(/, "uses require"],
];
const RUNTIME_MODULE = /^(bun|bun:.*|node:.*|@duckdb\/.*)$/;

export interface Violation {
  /** The importing file, relative to the root. */
  readonly file: string;
  readonly rule: string;
}

/** Source text without comments (a rule is about code, not about what a comment says). */
function code(file: string): string {
  return readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** The runtime-bound things a portable module may not use: modules (bun, node:*, @duckdb/*) and globals. */
export function runtimeUses(file: string): string[] {
  const text = code(file);
  const modules = specifiersOf(text).filter((s) => RUNTIME_MODULE.test(s)).map((s) => `imports ${s}`);
  return [...modules, ...RUNTIME_USES.filter(([pattern]) => pattern.test(text)).map(([, what]) => what)];
}

/** Every module specifier of a file: static and dynamic imports, re-exports, require, and workers' new URL(...). */
export function specifiersOf(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^"';]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\bnew URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function tsFiles(folder: string): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile() && /\.tsx?$/.test(e.name)).map((e) => join(e.parentPath, e.name));
}

/** The top folder of a repository path below `root`: "src/ttp", "scripts", "tests"... */
function area(root: string, file: string): string {
  const parts = relative(root, file).split(sep);
  return parts[0] === "src" ? `src/${parts[1]}` : parts[0]!;
}

/** What breaks the rules in the tree at `root` (src/, scripts/, tests/); empty when nothing does. */
export function importRuleViolations(root: string): Violation[] {
  const violations: Violation[] = [];
  const files = ["src", "scripts", "tests"].flatMap((folder) => tsFiles(join(root, folder)));
  for (const file of files) {
    const from = area(root, file);
    const where = relative(root, file);
    const text = code(file);
    const core = CORE.indexOf(from.slice(4) as (typeof CORE)[number]);
    const isCore = from.startsWith("src/") && core >= 0;
    if (isCore) for (const rule of runtimeUses(file)) violations.push({ file: where, rule });
    for (const specifier of specifiersOf(text)) {
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier);
      const to = area(root, target);
      const path = relative(root, target).split(sep).join("/");
      if (isCore && to.startsWith("src/") && to !== from) {
        const level = CORE.indexOf(to.slice(4) as (typeof CORE)[number]);
        if (level < 0 || level > core) violations.push({ file: where, rule: `imports ${path}, above ${from} in the core's layers` });
      }
      if (to === "src/cli" && from !== "src/cli" && from !== "scripts" && from !== "tests") violations.push({ file: where, rule: `imports ${path}: nothing below the commands imports src/cli` });
      // the commands and the other parts get the sink from openSink; a benchmark may time DuckDB's pieces, not the sink
      const duckdbImplementation = from.startsWith("src/") ? path.startsWith("src/sink/duckdb/") : path === "src/sink/duckdb/duckdb-sink.ts";
      if (duckdbImplementation && !from.startsWith("src/sink") && from !== "tests") violations.push({ file: where, rule: `imports ${path}: openSink picks the sink` });
      if (from === "scripts" && to === "tests") violations.push({ file: where, rule: `imports ${path}: scripts do not import tests` });
    }
  }
  return violations;
}
