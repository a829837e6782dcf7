// What every command does around its work: parse its flags (help, usage errors), and turn what
// escapes it into one line and an exit code.
import { messageOf } from "../common/message-of.ts";
import { UsageError } from "./flags.ts";

/** Runs `main` with the command's arguments and sets the exit code; an unexpected error is one line and exit code 1. */
export async function runCommand(main: (argv: readonly string[]) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main(Bun.argv.slice(2));
  } catch (error) {
    console.error(`error: ${messageOf(error)}`);
    process.exitCode = 1;
  }
}

/** "bun run query" from a help text that begins "Usage: bun run query ...". */
function commandOf(help: string): string {
  return /^Usage: (bun run [\w:-]+)/i.exec(help)?.[1] ?? "the command";
}

/**
 * A usage error as every command prints it: `error: MESSAGE` and where the flags are explained
 * (not the whole help, which would bury the one line that matters). Returns the exit code, 2.
 */
export function usageFailure(command: string, message: string): number {
  console.error(`error: ${message}\ntry: ${command} --help`);
  return 2;
}

/** The parsed flags, or the exit code once help (0) or a usage error (2) is printed; `command` defaults to the help's "Usage: bun run X". */
export function parseFlags<T extends { readonly help: boolean }>(parse: () => T, help: string, command: string = commandOf(help)): T | number {
  let args: T;
  try {
    args = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageFailure(command, error.message);
  }
  if (args.help) {
    console.log(help);
    return 0;
  }
  return args;
}
