// `bun run build:edge [--outdir DIR]`: the edge API as one ESM file, DIR/worker.js (default
// dist/edge), whose default export is the fetch handler; prints its size and gzip size.
// Target browser: web APIs only, so it runs in workerd, Deno and browsers' workers alike.
import { gzipSync } from "node:zlib";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dir, "..");
const { values } = parseArgs({ options: { outdir: { type: "string" } } });
const outdir = resolve(values.outdir ?? join(root, "dist", "edge"));

const result = await Bun.build({
  entrypoints: [join(root, "src", "edge", "worker.ts")],
  outdir,
  naming: "worker.js",
  target: "browser",
  format: "esm",
  minify: true,
  sourcemap: "none",
});
if (!result.success) {
  console.error(`build:edge failed:\n${result.logs.map(String).join("\n")}`);
  process.exit(1);
}
const output = result.outputs[0]!;
const bytes = new Uint8Array(await output.arrayBuffer());
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`build:edge: ${relative(process.cwd(), output.path) || output.path} ${kib(bytes.length)} (${kib(gzipSync(bytes, { level: 9 }).length)} gzip)`);
