import type { CopyEdit } from "./apply-edits";
import { EVERY_PAGE } from "./catalog-entry";
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

/**
 * `strings` may carry the pages each appears on (catalog entries): "on the pricing page" first means the
 * strings seen on the picture of /pricing (lib/copy/page-map.ts), then those the code places on /pricing
 * (or on every page), then strings whose file, component or key names it.
 */
export function findByRequest(strings: (CopyString & { pages?: string[]; renderedPages?: string[] })[], request: string): FindByRequestResult {
  const parsed = parseCopyRequest(request);
  if (!parsed) {
    return { kind: "not-found", message: `Write the request like: change "Sign up" to "Create account" (optionally: on the pricing page)` };
  }
  const scope = parsed.scope;
  const scopes =
    scope === undefined
      ? [strings]
      : [
          strings.filter((copy) => shownOnPage(copy.renderedPages ?? [], scope)),
          strings.filter((copy) => shownOnPage(copy.pages ?? [], scope)),
          strings.filter((copy) => matchesScope(copy, scope)),
        ].filter((found) => found.length > 0);
  const where = scope === undefined ? "" : ` in ${scope}`;
  if (scopes.length === 0) return { kind: "not-found", message: `Nothing matches "${scope}"` };

  const target = normalise(parsed.from);
  for (const inScope of scopes) {
    const tiers = [
      inScope.filter((copy) => normalise(copy.text) === target),
      inScope.filter((copy) => normalise(copy.text).toLowerCase() === target.toLowerCase()),
    ];
    for (const matches of tiers) {
      const [only] = matches;
      if (matches.length === 1 && only) return { kind: "edits", edits: [{ id: only.id, text: parsed.to }] };
      if (matches.length > 1) return { kind: "ambiguous", candidates: matches };
    }
  }
  // Near misses are offered, never applied: the request may mean only part of a longer string.
  const partial = [...new Set(scopes.flat())].filter((copy) => copy.text.toLowerCase().includes(target.toLowerCase()));
  if (partial.length > 0) return { kind: "ambiguous", candidates: partial };
  return { kind: "not-found", message: `No text "${parsed.from}" found${where}` };
}

const HOME_NAMES = new Set(["home", "homepage", "index", "landing", "landingpage", "main", "front", "frontpage", "start"]);

/** "pricing" is /pricing, "sign up" is /sign-up, "home" is /; a string on every page is on each of them. */
function shownOnPage(pages: string[], scope: string): boolean {
  const needle = squash(scope);
  if (needle === "") return false;
  return pages.some((page) => {
    if (page === EVERY_PAGE) return true;
    if (page === "/") return HOME_NAMES.has(needle);
    const segments = page.split("/").filter((segment) => segment && !/^[[(:]/.test(segment));
    return squash(page) === needle || squash(segments.at(-1) ?? "") === needle;
  });
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
