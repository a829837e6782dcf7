// The import rules of the layout (./import-rules.ts) hold for the repository, and they catch a tree
// that breaks each of them (this test's own fixture, written to a temporary folder).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO } from "../support/cli.ts";
import { importRuleViolations, specifiersOf } from "./import-rules.ts";

const fixture = mkdtempSync(join(tmpdir(), "stellar-flow-import-rules-"));
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

/** A small tree with one file per rule broken, and files that keep the rules. */
const FILES: Record<string, string> = {
  "src/stellar/model.ts": `export interface M { readonly n: number }`,
  "src/stellar/bad-runtime.ts": `import { readFileSync } from "node:fs";\nexport const size = () => readFileSync("x").length + Number(process.env.N);`,
  "src/stellar/bad-layer.ts": `import type { E } from "../ttp/event.ts";\nexport type X = E;`,
  "src/ttp/event.ts": `import type { M } from "../stellar/model.ts";\nimport { messageOf } from "../common/message-of.ts";\nexport type E = M & { readonly why: string };\nexport const why = (e: unknown) => messageOf(e);`,
  "src/ttp/bad-duckdb.ts": `export const load = () => import("@duckdb/node-api");\n// Bun.file in a comment is fine`,
  "src/arrow/bad-above.ts": `import { openSink } from "../sink/open-sink.ts";\nexport const s = openSink;`,
  "src/arrow/bad-bun.ts": `export const hash = (b: Uint8Array) => Bun.hash(b);`,
  "src/common/message-of.ts": `export const messageOf = (e: unknown) => String(e);`,
  "src/sink/open-sink.ts": `import { DuckDbSink } from "./duckdb/duckdb-sink.ts";\nexport const openSink = () => DuckDbSink;`,
  "src/sink/duckdb/duckdb-sink.ts": `export class DuckDbSink {}`,
  "src/supervisor/bad-cli.ts": `import { parse } from "../cli/args.ts";\nexport const p = parse;`,
  "src/pipeline/bad-duckdb-sink.ts": `import { DuckDbSink } from "../sink/duckdb/duckdb-sink.ts";\nexport const s = DuckDbSink;`,
  "src/cli/args.ts": `export const parse = () => 1;`,
  "src/cli/main.ts": `import { parse } from "./args.ts";\nimport { openSink } from "../sink/open-sink.ts";\nparse(); openSink();`,
  "scripts/bad-tests.ts": `import { lake } from "../tests/support/lakes.ts";\nexport const l = lake;`,
  "scripts/fixtures/lakes.ts": `export const lake = "x";`,
  "scripts/bench-command.ts": `import { parse } from "../src/cli/args.ts";\nexport const p = parse;`,
  "tests/support/lakes.ts": `import { lake } from "../../scripts/fixtures/lakes.ts";\nimport { parse } from "../../src/cli/args.ts";\nexport { lake, parse };`,
};
for (const [path, text] of Object.entries(FILES)) {
  mkdirSync(dirname(join(fixture, path)), { recursive: true });
  writeFileSync(join(fixture, path), text);
}

describe("import rules", () => {
  test("the repository keeps them", () => {
    expect(importRuleViolations(REPO)).toEqual([]);
  });

  test("a tree that breaks them is told which file breaks which rule (and the files that keep them pass)", () => {
    const found = importRuleViolations(fixture).map((v) => `${v.file}: ${v.rule}`).sort();
    expect(found).toEqual(
      [
        "scripts/bad-tests.ts: imports tests/support/lakes.ts: scripts do not import tests",
        "src/arrow/bad-above.ts: imports src/sink/open-sink.ts, above src/arrow in the core's layers",
        "src/arrow/bad-bun.ts: uses Bun.*",
        "src/pipeline/bad-duckdb-sink.ts: imports src/sink/duckdb/duckdb-sink.ts: openSink picks the sink",
        "src/stellar/bad-layer.ts: imports src/ttp/event.ts, above src/stellar in the core's layers",
        "src/stellar/bad-runtime.ts: imports node:fs",
        "src/stellar/bad-runtime.ts: uses process",
        "src/supervisor/bad-cli.ts: imports src/cli/args.ts: nothing below the commands imports src/cli",
        "src/ttp/bad-duckdb.ts: imports @duckdb/node-api",
      ].sort(),
    );
  });

  test("every way of naming a module is seen", () => {
    const text = `import a from "./a.ts";\nimport type { B } from "./b.ts";\nexport { c } from "./c.ts";\nimport "./d.ts";\nconst e = await import("./e.ts");\nconst f = require("./f.ts");\nnew Worker(new URL("./g.ts", import.meta.url));\nimport {\n  h,\n  i,\n} from "./h.ts";`;
    expect(specifiersOf(text)).toEqual(expect.arrayContaining(["./a.ts", "./b.ts", "./c.ts", "./d.ts", "./e.ts", "./f.ts", "./g.ts", "./h.ts"]));
  });
});
