// The types every extractor shares (scripts, html`…` templates, locale files, Markdown, gettext catalogs).
// They live apart from extract-strings.ts so the extractors it calls can use them without importing it.

/**
 * script-string: a string in code that the page shows (page metadata, a nav item's label, a toast, a Lingui
 * message, a FormatJS or i18next default, a constant that JSX renders). i18n: a message of a locale file.
 */
export type CopyKind = "jsx-text" | "jsx-attribute" | "script-string" | "i18n" | "markdown";

/**
 * How the literal at [start, end) is written, so an edit can be encoded for the same syntax. icu: the text is
 * an ICU MessageFormat message (lib/copy/icu-message.ts), so braces and tags must stay valid.
 */
export type CopySyntax =
  | { type: "jsx-text" }
  | { type: "jsx-attribute-string"; quote: string; icu?: true }
  | { type: "js-string"; quote: string; icu?: true }
  | { type: "json-string"; icu?: true }
  | { type: "yaml-scalar"; style: "plain" | "single" | "double" | "block"; inFlow: boolean }
  /** inTable: in a table cell, where an unescaped | would start another cell. */
  | { type: "markdown-text"; startsBlock: boolean; mdx: boolean; inTable?: true }
  | { type: "html-template-text" }
  | { type: "html-template-attribute"; quote: string }
  /** A gettext catalog's msgstr: one double-quoted C-style string (continuation lines are joined into one). */
  | { type: "po-string"; icu?: true };

/** One string found in a file, before extract-strings.ts gives it an id, a line and its neighbours. */
export type Draft = {
  kind: CopyKind;
  /** What identifies the string apart from its text: stays the same when the text is edited. */
  anchor: string;
  text: string;
  key?: string;
  start: number;
  end: number;
  component?: string;
  syntax: CopySyntax;
};
