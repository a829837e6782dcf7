/** The message of something thrown, for wrapping it in an error that says what failed and where. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
