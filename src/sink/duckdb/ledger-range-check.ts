/** Throws unless [first, last] is a non-empty range of ledger sequences (UINTEGER). */
export function checkLedgerRange(first: number, last: number, what: string): void {
  if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || first > last || last > 0xffffffff) {
    throw new Error(`Invalid ledger range ${first}-${last} ${what}`);
  }
}
