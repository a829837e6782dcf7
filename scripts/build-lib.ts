// `bun run build:lib`: the library entries as ESM JavaScript for runtimes that do not run
// TypeScript (Node >= 20, bundlers): dist/lib/index.js (portable), node.js (Node adapters) and
// edge.js (the edge API's Hono app). Dependencies stay imports (`packages: "external"`), shared
// code goes in chunks; Bun reads the TypeScript sources through the "bun" export condition.
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const outdir = join(root, "dist", "lib");

const builds = [
  { entrypoints: ["index.ts"].map((f) => join(root, "src", "lib", f)), target: "browser" as const },
  { entrypoints: [join(root, "src", "lib", "node.ts")], target: "node" as const },
  { entrypoints: [join(root, "src", "lib", "edge.ts")], target: "browser" as const },
];
for (const build of builds) {
  const result = await Bun.build({ ...build, outdir, format: "esm", packages: "external", splitting: false, sourcemap: "none" });
  if (!result.success) {
    console.error(`build:lib failed:\n${result.logs.map(String).join("\n")}`);
    process.exit(1);
  }
  for (const output of result.outputs) console.log(`build:lib: ${output.path} ${(output.size / 1024).toFixed(1)} KiB`);
}
