// Command-line flags read with node:util's parseArgs, its complaints put in our own words: the flag
// that is unknown (and the one probably meant), the flag that needs a value, the one that takes none.
// Every command's flag error is then one line, `error: ...`, and a pointer to its --help (command.ts).
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { messageOf } from "../common/message-of.ts";

/** A flag or argument the command does not take; `message` is one line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

/**
 * `argv` read against `options` (as parseArgs takes them). Throws a UsageError naming the flag or
 * argument at fault; `command` ("bun run query") is how the messages name the command.
 */
export function readFlags<const O extends ParseArgsOptionsConfig>(command: string, argv: readonly string[], options: O, takes: { readonly positionals?: boolean } = {}): Parsed<O> {
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === "positional") {
      if (!takes.positionals) throw new UsageError(`unexpected argument "${token.value}": ${command} takes flags only`);
      continue;
    }
    if (token.kind !== "option") continue;
    const option = options[token.name];
    if (option === undefined) throw new UsageError(`${token.rawName} is not a flag of ${command}${suggestion(token.rawName, options)}`);
    if (option.type === "boolean" && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value (got "${token.value}")`);
    if (option.type === "string") {
      if (token.value === undefined) throw new UsageError(`${token.rawName} needs a value`);
      if (!token.inlineValue && token.value.startsWith("-")) {
        throw new UsageError(`${token.rawName} needs a value, got the flag ${token.value} (a value that begins with "-" goes as ${token.rawName}=VALUE)`);
      }
    }
  }
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as Parsed<O>;
  } catch (error) {
    throw new UsageError(messageOf(error)); // not expected once the tokens passed
  }
}

/** " (did you mean --db?)" for a flag a letter or two away from one the command takes; "" otherwise. */
function suggestion(rawName: string, options: ParseArgsOptionsConfig): string {
  if (!rawName.startsWith("--")) return "";
  const name = rawName.slice(2).split("=")[0]!;
  let best: { flag: string; distance: number } | null = null;
  for (const flag of Object.keys(options)) {
    const distance = flag.startsWith(name) && name.length >= 3 ? 1 : editDistance(name, flag);
    if (distance <= Math.min(2, Math.floor(flag.length / 3)) && (best === null || distance < best.distance)) best = { flag, distance };
  }
  return best ? ` (did you mean --${best.flag}?)` : "";
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The value of `--flag` as an integer from `min` to `max`, or a UsageError naming the flag, the bounds and the value. */
export function integerFlag(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${value}"`);
  return Number(value);
}

/** The value of `--flag` as a whole number of at least 1, or a UsageError naming the flag and the value. */
export function positiveIntegerFlag(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new UsageError(`--${flag} must be a positive integer, got "${value}"`);
  return Number(value);
}
