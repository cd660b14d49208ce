// The catalog's shape, importable from browser code (catalog.ts itself needs the TypeScript compiler).
import type { CopyString, CopySyntax } from "./extract-strings";

/**
 * `syntax` lets the web refuse text a literal cannot hold before anything runs (absent in older catalogs).
 * `locale`: the language of the locale file the string is in (lib/copy/locale-files.ts); absent for strings
 * of code and documents, and of locale files whose path names no language. `sourceLocaleReason`: set on the
 * source language's entries only, how that language was chosen (SourceLocale.reason); a `locale` without it
 * is another language, which the Copy page lists only on request. `translations`: for a string of the
 * source language's locale file, the other languages whose file has the same key. `renderedPages`: the
 * routes whose picture at the catalog's commit shows the text (lib/copy/page-map.ts), set by the Copy page's
 * query, never stored in a catalog. `linked`: strings not listed that must keep saying the same, such as the
 * code's default of a message this source-language entry overrides; an edit of the entry edits them too.
 */
export type CatalogEntry = CopyString & {
  pages: string[];
  syntax?: CopySyntax;
  locale?: string;
  sourceLocaleReason?: string;
  translations?: string[];
  renderedPages?: string[];
  linked?: CatalogLink[];
};

/** Another string that an edit of an entry changes too: its id, file and text in the catalog's commit. */
export type CatalogLink = { id: string; path: string; text: string };

/**
 * The edits, each followed by the same text for the strings its entry is linked to (CatalogEntry.linked).
 * `mayChange`: whether the person may change a file (their role's copy paths); a link into a file they may not
 * change is left as it is rather than refusing the edit they made.
 */
export function withLinkedEdits<Edit extends { id: string; text: string }>(
  edits: readonly Edit[],
  entries: ReadonlyMap<string, Pick<CatalogEntry, "linked">>,
  mayChange: (path: string) => boolean = () => true,
): (Edit | { id: string; from: string; text: string })[] {
  const edited = new Set(edits.map((edit) => edit.id));
  return edits.flatMap((edit) => [
    edit,
    ...(entries.get(edit.id)?.linked ?? [])
      .filter((link) => !edited.has(link.id) && mayChange(link.path))
      .map((link) => ({ id: link.id, from: link.text, text: edit.text })),
  ]);
}

/**
 * The language copywriters write and why it is that one: "from i18n/routing.ts" (the app's i18n config,
 * lib/copy/i18n-config.ts), "English" or "most complete" (lib/copy/locale-files.ts).
 */
export type SourceLocale = { locale: string; reason: string };

/** In an entry's pages: the string renders on every page (layouts, app shells). */
export const EVERY_PAGE = "*";

/** A string of a locale file in a language other than the source: shown only when asked for. */
export function isOtherLanguage(entry: Pick<CatalogEntry, "locale" | "sourceLocaleReason">): boolean {
  return entry.locale !== undefined && entry.sourceLocaleReason === undefined;
}

/**
 * The source language of a catalog, read from its entries (a catalog is stored as its entries alone); null
 * when no entry is of the source language (no locale files, or a catalog built before languages were kept).
 */
export function sourceLocaleOf(entries: readonly CatalogEntry[]): SourceLocale | null {
  for (const entry of entries)
    if (entry.locale !== undefined && entry.sourceLocaleReason !== undefined) return { locale: entry.locale, reason: entry.sourceLocaleReason };
  return null;
}
