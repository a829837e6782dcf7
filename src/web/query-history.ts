// The SQL box's history: the queries run from this browser, newest first, kept in localStorage
// (per origin, so per server), at most MAX_ENTRIES, each once.

export const HISTORY_KEY = "stellar-flow-sql-history";
export const MAX_ENTRIES = 30;

export function readHistory(storage: Storage): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(HISTORY_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === "string").slice(0, MAX_ENTRIES) : [];
  } catch {
    return []; // a damaged entry is no reason to lose the SQL box
  }
}

/** `sql` becomes the newest entry (an earlier copy of it goes); answers the new history. */
export function remember(storage: Storage, sql: string): string[] {
  const text = sql.trim();
  if (text === "") return readHistory(storage);
  const history = [text, ...readHistory(storage).filter((entry) => entry !== text)].slice(0, MAX_ENTRIES);
  try {
    storage.setItem(HISTORY_KEY, JSON.stringify(history));
  } catch {
    // storage full or refused (a private window): the history lasts as long as the page
  }
  return history;
}
