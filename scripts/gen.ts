// Protobuf codegen: `buf lint`, then `buf generate` into src/gen (cleared first, so removed protos disappear).
// Uses the buf and protoc-gen-es installed in node_modules; no remote plugins.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { readFlags } from "../src/cli/flags.ts";
import { parseFlags } from "../src/cli/command.ts";

const HELP = `Usage: bun run gen

Regenerates src/gen from proto/: buf lint, then buf generate (src/gen is cleared first, so that a
removed .proto leaves nothing behind). Uses the buf and protoc-gen-es of node_modules.

  -h, --help   this text`;

const args = parseFlags(() => ({ help: readFlags("bun run gen", Bun.argv.slice(2), { help: { type: "boolean", short: "h" } }).values.help ?? false }), HELP);
if (typeof args === "number") process.exit(args);

const root = join(import.meta.dir, "..");
const buf = join(root, "node_modules", ".bin", "buf");

function run(...args: string[]): void {
  const result = Bun.spawnSync([buf, ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  const output = (result.stdout.toString() + result.stderr.toString()).trim();
  if (result.exitCode !== 0) {
    console.error(`gen: \`buf ${args.join(" ")}\` failed (exit ${result.exitCode ?? result.signalCode})`);
    if (output) console.error(output);
    process.exit(1);
  }
  if (output) console.log(output);
}

run("lint");
rmSync(join(root, "src", "gen"), { recursive: true, force: true });
run("generate");
console.log("gen: src/gen regenerated");
