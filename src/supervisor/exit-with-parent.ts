// Preloaded into every child of the supervisor (`bun --preload` this file): the child stops when
// the supervisor is gone, even if it was killed with SIGKILL and could not stop its children. The
// supervisor holds the write end of the child's stdin and never writes; the kernel closes it when
// the supervisor dies, and the child reads end of file. It then stops as on SIGTERM (a clean stop:
// final commit, flowctl unregister, ports released), and exits outright if that takes too long.
// (Linux's PR_SET_PDEATHSIG would need FFI; a pipe works on every platform.)

/** How long the clean stop may take before the child exits anyway. */
const STOP_GRACE_MS = 10_000;

function supervisorGone(): void {
  console.error("supervisor gone (its pipe closed): stopping");
  setTimeout(() => {
    console.error(`still running ${STOP_GRACE_MS / 1000} s after the supervisor went away: exiting`);
    process.exit(1);
  }, STOP_GRACE_MS).unref();
  process.kill(process.pid, "SIGTERM");
}

process.stdin.on("data", () => undefined); // nothing is ever written; only the end matters
process.stdin.once("end", supervisorGone);
process.stdin.once("error", supervisorGone);
process.stdin.resume();
process.stdin.unref(); // watching the pipe never keeps the child alive by itself
