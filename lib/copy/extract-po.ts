// gettext catalogs (.po), as Lingui, Django, WordPress and other gettext users keep them under locales/.
// Each entry's msgstr is the text; its msgid (with its msgctxt) is the key. The msgid is never listed or
// edited: it is how the app looks the message up, so changing it would unlink the translation. An empty
// msgstr (a translation nobody wrote, or a source catalog that leaves the text to the code, where copy mode
// lists it) and a fuzzy one (a guess gettext does not use) are not listed either.
//
// gettext-parser reads the catalog but reports no offsets, so the string tokens are located here, line by
// line, and every located entry must decode to what gettext-parser reads; an entry that does not (or that
// uses an escape the edit encoding does not write) is left out rather than risk a wrong edit.
import { po, type PoTable } from "gettext-parser";
import type { Draft } from "./draft";
import { isIcuCatalog } from "./icu-message";

const CATALOG_DIRS = new Set(["locales", "locale", "i18n", "translations", "languages", "lang", "LC_MESSAGES"]);

/** A .po file in a translations folder: `src/locales/en/messages.po`, `locale/fr/LC_MESSAGES/django.po`. */
export function isPoCatalogPath(path: string): boolean {
  return path
    .split("/")
    .slice(0, -1)
    .some((dir) => CATALOG_DIRS.has(dir));
}

type PoToken = { start: number; end: number; value: string; plain: boolean };
type PoField = { keyword: string; tokens: PoToken[] };
type PoEntry = { fields: PoField[]; fuzzy: boolean };

const KEYWORD = /^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)[ \t]+(?=")/;
// The escapes encodeCopyText writes for a po-string; others (\a, \x41, octal) would not survive an edit as written.
const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', n: "\n", t: "\t", r: "\r" };

export function extractPo(file: { path: string; content: string }): Draft[] | undefined {
  let table: PoTable;
  try {
    table = po.parse(file.content);
  } catch {
    return undefined;
  }
  const entries = readEntries(file.content);
  if (!entries) return undefined;
  const drafts: Draft[] = [];
  for (const entry of entries) {
    const value = (keyword: string) =>
      entry.fields
        .find((field) => field.keyword === keyword)
        ?.tokens.map((token) => token.value)
        .join("");
    const msgid = value("msgid");
    const msgctxt = value("msgctxt");
    if (msgid === undefined || (msgid === "" && msgctxt === undefined) || entry.fuzzy) continue;
    const parsed = table.translations[msgctxt ?? ""]?.[msgid];
    const plural = entry.fields.some((field) => field.keyword === "msgid_plural");
    const msgstrs = entry.fields.filter((field) => field.keyword.startsWith("msgstr"));
    for (const [index, field] of msgstrs.entries()) {
      const first = field.tokens[0];
      const last = field.tokens.at(-1);
      const text = field.tokens.map((token) => token.value).join("");
      if (!first || !last || text.trim() === "" || !field.tokens.every((token) => token.plain) || parsed?.msgstr[index] !== text) continue;
      const form = /\[(\d+)\]$/.exec(field.keyword)?.[1];
      const key = `${msgctxt === undefined ? "" : `${msgctxt}|`}${msgid}${plural && form !== undefined ? `[${form}]` : ""}`;
      drafts.push({ kind: "i18n", anchor: key, key, text, start: first.start, end: last.end, syntax: { type: "po-string" } });
    }
  }
  // Lingui writes ICU messages (its header names it); other gettext users write printf-style ones.
  const icu = /lingui/i.test(table.headers?.["X-Generator"] ?? "") || isIcuCatalog(drafts.map((draft) => draft.text));
  if (icu) for (const draft of drafts) draft.syntax = { type: "po-string", icu: true };
  return drafts;
}

/** The catalog's entries with their string tokens located, or undefined for a line this reader does not know. */
function readEntries(content: string): PoEntry[] | undefined {
  const entries: PoEntry[] = [];
  let current: PoEntry | undefined;
  let fuzzy = false;
  const close = () => {
    if (current) entries.push(current);
    current = undefined;
  };
  const open = (): PoEntry => {
    current = { fields: [], fuzzy };
    fuzzy = false;
    return current;
  };
  let lineStart = 0;
  while (lineStart < content.length) {
    const newline = content.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? content.length : newline;
    const line = content.slice(lineStart, lineEnd).replace(/\r$/, "");
    const indent = line.length - line.trimStart().length;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      // A comment or a blank line ends an entry; `#, fuzzy` marks the next one; `#~` lines are obsolete entries.
      if (current?.fields.some((field) => field.keyword.startsWith("msgstr"))) close();
      if (trimmed.startsWith("#,") && /\bfuzzy\b/.test(trimmed)) fuzzy = true;
    } else {
      const keyword = KEYWORD.exec(trimmed);
      const at = lineStart + indent + (keyword?.[0].length ?? 0);
      const token = content[at] === '"' ? readString(content, at, lineStart + line.length) : undefined;
      if (!token || content.slice(token.end, lineStart + line.length).trim() !== "") return undefined;
      if (keyword) {
        const name = keyword[1] ?? "";
        const entry = current;
        const startsEntry = name === "msgctxt" || (name === "msgid" && entry?.fields.some((field) => field.keyword === "msgid"));
        if (startsEntry || !entry) close();
        const target = startsEntry || !entry ? open() : entry;
        if (name !== "msgctxt" && name !== "msgid" && !target.fields.some((field) => field.keyword === "msgid")) return undefined;
        target.fields.push({ keyword: name, tokens: [token] });
      } else {
        // A continuation line: "…" adds to the field above.
        const field = current?.fields.at(-1);
        if (!field) return undefined;
        field.tokens.push(token);
      }
    }
    lineStart = lineEnd + 1;
  }
  close();
  return entries;
}

/** The double-quoted string starting at `start`, ending on the same line. */
function readString(content: string, start: number, lineEnd: number): PoToken | undefined {
  let value = "";
  let plain = true;
  for (let index = start + 1; index < lineEnd; index++) {
    const char = content[index];
    if (char === '"') return { start, end: index + 1, value, plain };
    if (char !== "\\") {
      value += char;
      continue;
    }
    const next = content[index + 1];
    if (next === undefined || index + 1 >= lineEnd) return undefined;
    const decoded = ESCAPES[next];
    if (decoded === undefined) plain = false;
    value += decoded ?? next;
    index++;
  }
  return undefined;
}
