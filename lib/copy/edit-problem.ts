// The checks one copy edit must pass, shared by the web (against the catalog, at submit) and the worker
// (against the files at the head commit, lib/copy/apply-edits.ts). The web imports it: only small parsers.
import { placeholderProblem } from "./copy-placeholders";
import { icuMessageProblem } from "./icu-message";
import { unencodableProblem } from "./encode-copy-text";
import type { CopyKind, CopySyntax } from "./draft";

/** `from` is the text the person saw; when given, an edit to text that changed since then is refused. */
export type CopyEdit = { id: string; text: string; from?: string };

/** What is wrong with one edit of `copy` (undefined when the string is gone), or undefined. */
export function editProblem(edit: CopyEdit, copy: { text: string; kind: CopyKind; syntax?: CopySyntax } | undefined, count: number): string | undefined {
  if (!copy) return "This text no longer exists at the head commit";
  if (count > 1) return "This text was edited twice";
  if (edit.from !== undefined && edit.from !== copy.text) return `This text was changed to "${copy.text}" since you opened it`;
  if (edit.text.trim() === "" && copy.text.trim() !== "") return "Text is required here";
  // ICU messages: locale catalogs, FormatJS's defaultMessage, Lingui's .po files.
  if (copy.syntax && "icu" in copy.syntax && copy.syntax.icu) return icuMessageProblem(copy.text, edit.text);
  return (copy.syntax ? unencodableProblem(copy.syntax, edit.text) : undefined) ?? placeholderProblem(copy.kind, copy.text, edit.text);
}
