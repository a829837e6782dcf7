// The portable core stays portable: from the library entry and the Worker, every module reached
// through relative imports uses web-standard APIs only (no bun:, node:, Bun.*, process, Buffer,
// require, @duckdb/*). src/stellar, src/ttp and src/arrow themselves: tests/layout/import-rules.test.ts.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { runtimeUses, specifiersOf } from "../layout/import-rules.ts";
import { REPO } from "../support/cli.ts";

/** What is wrong with one source file, or nothing. */
function problems(file: string): string[] {
  return runtimeUses(file).map((what) => `${relative(REPO, file)} ${what}`);
}

/** Every module reached from `entry` through relative imports (type-only imports included: cheap and stricter). */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of specifiersOf(readFileSync(file, "utf8"))) if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
  };
  visit(entry);
  return [...seen];
}

describe("portable core", () => {
  for (const entry of ["src/lib/index.ts", "src/lib/edge.ts", "src/edge/worker.ts"]) {
    test(`everything ${entry} reaches is portable, and it never reaches the SDK`, () => {
      const files = reachable(join(REPO, entry));
      expect(files.length).toBeGreaterThan(20);
      expect(files.flatMap(problems)).toEqual([]);
      expect(files.map((f) => relative(REPO, f)).filter((f) => f.startsWith("src/stellar/sdk") || f.includes("sdk-ledger-close-meta-measure"))).toEqual([]);
    });
  }
});
