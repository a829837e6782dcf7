// Exit codes the commands share with the supervisor that restarts them.

/** `bun run sink`: another process holds its database (EX_TEMPFAIL); `pipeline --processes` starts it again with backoff. */
export const EXIT_SINK_BUSY = 75;
