// The types every extractor shares (scripts, html`…` templates, Vue and Svelte components, locale files,
// Markdown, gettext catalogs).
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
  /**
   * apostrophe/quote: how the text writes ' and " (as typed, or an entity such as &apos;), so an edit keeps the
   * file's style and lint rules like react/no-unescaped-entities; absent: as typed.
   */
  | { type: "jsx-text"; apostrophe?: string; quote?: string; icu?: true }
  | { type: "jsx-attribute-string"; quote: string; icu?: true }
  | { type: "js-string"; quote: string; icu?: true }
  | { type: "json-string"; icu?: true }
  | { type: "yaml-scalar"; style: "plain" | "single" | "double" | "block"; inFlow: boolean }
  /** inTable: in a table cell, where an unescaped | would start another cell. */
  | { type: "markdown-text"; startsBlock: boolean; mdx: boolean; inTable?: true }
  | { type: "html-template-text" }
  | { type: "html-template-attribute"; quote: string }
  /** Text and quoted static attributes in a .vue file's <template> and in a .svelte component's markup. */
  | { type: "vue-template-text" }
  | { type: "vue-template-attribute"; quote: string }
  | { type: "svelte-template-text" }
  | { type: "svelte-template-attribute"; quote: string }
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
  /** A default text in code for the message `key` (i18next, FormatJS): a locale file's message with that key wins. */
  codeDefault?: true;
  /**
   * An exported const's string and its path (["siteConfig", "name"]): listed only when a module that imports
   * it renders that path (lib/copy/reached-constants.ts).
   */
  exported?: string[];
};
