// CI test runner: `bun test` (extra args passed through) with its output streamed as usual, then one
// last line `N passed, N failed[, N skipped]`. Exits with bun test's code, and non-zero if no test ran.
import { spawn } from "bun";

// bun test writes its summary to stderr: " N pass", " N skip", " N todo", " N fail", ..., "Ran N tests across ...".
const SUMMARY_END = /^Ran \d+ tests? across/;
const COUNT = /^\s*(\d+) (pass|fail|skip|todo)\b/;
const ANSI = /\x1b\[[0-9;]*m/g;

type Counts = Record<"pass" | "fail" | "skip" | "todo", number>;

/** Counts from the summary block just above bun's last "Ran N tests" line (zeros if there is none). */
function parseSummary(stderr: string): Counts {
  const counts: Counts = { pass: 0, fail: 0, skip: 0, todo: 0 };
  const lines = stderr.replace(ANSI, "").split(/\r?\n/);
  for (let i = lines.findLastIndex((line) => SUMMARY_END.test(line)) - 1; i >= 0 && lines[i]!.trim() !== ""; i--) {
    const match = COUNT.exec(lines[i]!);
    if (match) counts[match[2] as keyof Counts] = Number(match[1]);
  }
  return counts;
}

const env = { ...process.env };
if (process.stderr.isTTY && env.NO_COLOR === undefined) env.FORCE_COLOR ??= "1"; // keep bun's colours on a terminal
const proc = spawn([process.execPath, "test", ...process.argv.slice(2)], {
  stdin: "inherit",
  stdout: "inherit",
  stderr: "pipe",
  env,
});

const decoder = new TextDecoder();
let stderr = "";
for await (const chunk of proc.stderr) {
  process.stderr.write(chunk);
  stderr += decoder.decode(chunk, { stream: true });
}
stderr += decoder.decode();
const exitCode = await proc.exited;

const { pass, fail, skip } = parseSummary(stderr);
console.log(`${pass} passed, ${fail} failed${skip > 0 ? `, ${skip} skipped` : ""}`);
process.exit(exitCode !== 0 ? exitCode : fail > 0 || pass + fail === 0 ? 1 : 0);
