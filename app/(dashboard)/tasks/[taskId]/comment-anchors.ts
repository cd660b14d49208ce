// Where a review comment sits in the diff: a line after the change ("new": added or unchanged lines) or,
// for a removed line, its number before the change ("old"). The same anchor the API stores and the agent reads.
import { type ChangeData, computeNewLineNumber, computeOldLineNumber, getChangeKey } from "react-diff-view";

export type Anchor = { side: "new" | "old"; line: number };

export function anchorOf(change: ChangeData): Anchor {
  const line = computeNewLineNumber(change);
  return line > 0 ? { side: "new", line } : { side: "old", line: computeOldLineNumber(change) };
}

/** The change (by react-diff-view's key) each anchored item belongs to; items whose line is not shown are left out. */
export function changeKeysFor<T extends Anchor>(changes: readonly ChangeData[], items: readonly T[]): Map<string, T[]> {
  const byAnchor = new Map<string, string>();
  for (const change of changes) {
    const anchor = anchorOf(change);
    byAnchor.set(`${anchor.side}:${anchor.line}`, getChangeKey(change));
  }
  const grouped = new Map<string, T[]>();
  for (const item of items) {
    const key = byAnchor.get(`${item.side}:${item.line}`);
    if (key) grouped.set(key, [...(grouped.get(key) ?? []), item]);
  }
  return grouped;
}
