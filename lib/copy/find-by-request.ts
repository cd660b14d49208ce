import type { CopyEdit } from "./apply-edits";
import type { CopyString } from "./extract-strings";

export type FindByRequestResult =
  | { kind: "edits"; edits: CopyEdit[] }
  | { kind: "ambiguous"; candidates: CopyString[] }
  | { kind: "not-found"; message: string };

const OPEN = `["“”„«'‘’]`;
const CLOSE = `["“”»'‘’]`;
// change "Sign up" to "Create account" [on the pricing page | in Header.tsx]
const REQUEST = new RegExp(
  `^\\s*(?:please\\s+)?(?:change|replace|update|rename|edit|reword)\\s+(?:the\\s+)?(?:text\\s+|copy\\s+|label\\s+)?` +
    `${OPEN}([\\s\\S]+?)${CLOSE}\\s+(?:to|with|into|by)\\s+${OPEN}([\\s\\S]*?)${CLOSE}` +
    `(?:\\s+(?:on|in|from)\\s+(?:the\\s+)?(.+?))?\\s*[.!]?\\s*$`,
  "i",
);

export type ParsedCopyRequest = { from: string; to: string; scope?: string };

export function parseCopyRequest(request: string): ParsedCopyRequest | undefined {
  const match = REQUEST.exec(request);
  const from = match?.[1];
  const to = match?.[2];
  if (from === undefined || to === undefined) return undefined;
  const scope = match?.[3]?.replace(/\s+(page|screen|component|file|section)$/i, "").trim();
  return scope ? { from, to, scope } : { from, to };
}

export function findByRequest(strings: CopyString[], request: string): FindByRequestResult {
  const parsed = parseCopyRequest(request);
  if (!parsed) {
    return { kind: "not-found", message: `Write the request like: change "Sign up" to "Create account" (optionally: on the pricing page)` };
  }
  const inScope = parsed.scope === undefined ? strings : strings.filter((copy) => matchesScope(copy, parsed.scope ?? ""));
  const where = parsed.scope === undefined ? "" : ` in ${parsed.scope}`;
  if (inScope.length === 0) return { kind: "not-found", message: `Nothing matches "${parsed.scope}"` };

  const target = normalise(parsed.from);
  const tiers = [
    inScope.filter((copy) => normalise(copy.text) === target),
    inScope.filter((copy) => normalise(copy.text).toLowerCase() === target.toLowerCase()),
  ];
  for (const matches of tiers) {
    const [only] = matches;
    if (matches.length === 1 && only) return { kind: "edits", edits: [{ id: only.id, text: parsed.to }] };
    if (matches.length > 1) return { kind: "ambiguous", candidates: matches };
  }
  // Near misses are offered, never applied: the request may mean only part of a longer string.
  const partial = inScope.filter((copy) => copy.text.toLowerCase().includes(target.toLowerCase()));
  if (partial.length > 0) return { kind: "ambiguous", candidates: partial };
  return { kind: "not-found", message: `No text "${parsed.from}" found${where}` };
}

function normalise(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function matchesScope(copy: CopyString, scope: string): boolean {
  const needle = squash(scope);
  if (needle === "") return true;
  return [copy.path, copy.context.component ?? "", copy.key ?? ""].some((hay) => squash(hay).includes(needle));
}

function squash(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}.]+/gu, "");
}
