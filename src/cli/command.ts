// What every command does around its work: parse its flags (help, usage errors), and turn what
// escapes it into one line and an exit code.
import { messageOf } from "../common/message-of.ts";
import { UsageError } from "./pipeline-args.ts";

/** Runs `main` with the command's arguments and sets the exit code; an unexpected error is one line and exit code 1. */
export async function runCommand(main: (argv: readonly string[]) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main(Bun.argv.slice(2));
  } catch (error) {
    console.error(`error: ${messageOf(error)}`);
    process.exitCode = 1;
  }
}

/** The parsed flags, or the exit code once help (0) or a usage error and the help (2) is printed. */
export function parseFlags<T extends { readonly help: boolean }>(parse: () => T, help: string): T | number {
  let args: T;
  try {
    args = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${help}`);
    return 2;
  }
  if (args.help) {
    console.log(help);
    return 0;
  }
  return args;
}
