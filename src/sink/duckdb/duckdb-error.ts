// DuckDB's errors as one line a person can act on. INTERNAL errors carry a C++ stack trace in their
// message, and once a FATAL error has invalidated the database every later call answers "database has
// been invalidated ... Original error: ..." instead of what went wrong: the original is what to report.
import { messageOf } from "../../common/message-of.ts";

const ORIGINAL = /Original error: "([^\n]*)"/;
const MAX_LENGTH = 400;

/** The first line of a DuckDB error (the original one if the database was invalidated), at most 400 characters. */
export function duckdbErrorLine(error: unknown): string {
  const message = messageOf(error);
  const original = ORIGINAL.exec(message)?.[1];
  const line = (original ?? message).split("\n", 1)[0]!.trim();
  return line.length > MAX_LENGTH ? `${line.slice(0, MAX_LENGTH)}...` : line;
}

/** DuckDB gave up on the instance (FATAL or INTERNAL): every later call on it fails. */
export function invalidatesDatabase(error: unknown): boolean {
  return /\b(FATAL|INTERNAL) Error\b|database has been invalidated/.test(messageOf(error));
}

/** The error is the disk (or its quota) being full. */
export function isDiskFull(error: unknown): boolean {
  return /No space left on device|Disk quota exceeded|ENOSPC|EDQUOT/i.test(messageOf(error));
}
