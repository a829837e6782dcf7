// The portable core stays portable: from the library entry and the Worker, every module reached
// through relative imports uses web-standard APIs only (no bun:, node:, Bun.*, process, Buffer,
// require, @duckdb/*), as do src/stellar, src/ttp and src/arrow outside the SDK-backed reference.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPO } from "../support/cli.ts";

const FORBIDDEN: [RegExp, string][] = [
  [/from\s+["'](bun|bun:[^"']*|node:[^"']*|@duckdb\/[^"']*)["']/, "imports a runtime's module"],
  [/import\s*\(\s*["'](bun|bun:[^"']*|node:[^"']*)["']\s*\)/, "imports a runtime's module"],
  [/\bBun\./, "uses Bun.*"],
  [/\bprocess\./, "uses process"],
  [/\bBuffer\./, "uses Buffer"],
  [/\brequire\(/, "uses require"],
];

/** What is wrong with one source file (comments stripped), or nothing. */
function problems(file: string): string[] {
  const code = readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  return FORBIDDEN.filter(([pattern]) => pattern.test(code)).map(([, what]) => `${relative(REPO, file)} ${what}`);
}

/** Every module reached from `entry` through relative imports (type-only imports included: cheap and stricter). */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)) visit(resolve(dirname(file), match[1]!));
  };
  visit(entry);
  return [...seen];
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("portable core", () => {
  test("src/stellar, src/ttp and src/arrow use web-standard APIs only", () => {
    const files = ["stellar", "ttp", "arrow"].flatMap((f) => filesUnder(join(REPO, "src", f)));
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap(problems)).toEqual([]);
  });

  for (const entry of ["src/lib/index.ts", "src/lib/edge.ts", "src/edge/worker.ts"]) {
    test(`everything ${entry} reaches is portable, and it never reaches the SDK`, () => {
      const files = reachable(join(REPO, entry));
      expect(files.length).toBeGreaterThan(20);
      expect(files.flatMap(problems)).toEqual([]);
      expect(files.map((f) => relative(REPO, f)).filter((f) => f.startsWith("src/stellar/sdk") || f.includes("sdk-ledger-close-meta-measure"))).toEqual([]);
    });
  }
});
