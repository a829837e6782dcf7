import type { EntryChange } from "./model.ts";

/**
 * The "G...:sequence" a transaction's sequence-number bump records in its changes. Some ledgers
 * (synthetic load tests) carry result hashes that no envelope hashes to; a transaction is also
 * identified by its source account and sequence number, so decoders pair them by this key instead.
 */
export function sequenceBumpKey(...changeLists: readonly (readonly EntryChange[])[]): string | null {
  for (const changes of changeLists) {
    for (const change of changes) {
      const pre = change.pre;
      const post = change.post;
      if (pre?.type === "account" && post?.type === "account" && post.sequenceNumber !== pre.sequenceNumber) {
        return `${post.accountId}:${post.sequenceNumber}`;
      }
    }
  }
  return null;
}
