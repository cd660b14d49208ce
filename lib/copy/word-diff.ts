import { diffWords } from "diff";

export type WordDiffPart = { type: "same" | "added" | "removed"; text: string };

export function wordDiff(before: string, after: string): WordDiffPart[] {
  return diffWords(before, after).map((change) => ({
    type: change.added ? "added" : change.removed ? "removed" : "same",
    text: change.value,
  }));
}
