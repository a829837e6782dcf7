// SIGINT and SIGTERM end a run cleanly: the first one aborts it, and the run commits what it read,
// unregisters and says where it stopped. One Ctrl-C under `bun run` arrives twice (the terminal
// signals the whole process group, and bun run forwards it to its child too), so a second signal
// within DUPLICATE_WINDOW_MS of the first is taken as the same one. Any signal after that stops the
// process at once, and says what that means.

/** How close a second signal must follow the first to be the same Ctrl-C (bun run forwards it within milliseconds). */
export const DUPLICATE_WINDOW_MS = 1000;

export interface InterruptOptions {
  /** What a forced stop means for the operator, e.g. "ledgers committed so far stay in DB". */
  readonly forcedNote: string;
  readonly log: (message: string) => void;
  /** Ends the process (default process.exit). */
  readonly exit?: (code: number) => void;
  readonly now?: () => number;
}

/** Installs the handlers; the returned function removes them. */
export function stopOnSignals(abort: AbortController, options: InterruptOptions): () => void {
  const now = options.now ?? (() => performance.now());
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let first: number | null = null;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (first === null) {
      first = now();
      abort.abort(new Error(signal === "SIGINT" ? "interrupted" : "interrupted (SIGTERM)"));
      return;
    }
    if (signals === 2 && now() - first <= DUPLICATE_WINDOW_MS) return; // the same Ctrl-C, forwarded by bun run
    options.log(`${signal} again: stopping now, without the clean stop (${options.forcedNote})`);
    exit(130);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}
