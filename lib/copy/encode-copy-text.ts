import { parseDocument, isScalar } from "yaml";
import type { CopySyntax } from "./draft";

/** Source text that replaces the literal at [start, end) so it renders as `text`. */
export function encodeCopyText(syntax: CopySyntax, text: string): string {
  switch (syntax.type) {
    case "jsx-text":
      return encodeJsxText(text, syntax.apostrophe, syntax.quote);
    case "jsx-attribute-string":
      return encodeJsxAttribute(text, syntax.quote);
    case "js-string":
      return encodeJsString(text, syntax.quote);
    case "json-string":
      return JSON.stringify(text);
    case "yaml-scalar":
      return encodeYamlScalar(text, syntax.style, syntax.inFlow);
    case "markdown-text":
      return encodeMarkdownText(text, syntax.startsBlock, syntax.mdx, syntax.inTable === true);
    case "html-template-text":
      // Inside html`…` the text is written as is; newlines would only collapse to a space when rendered.
      return text.replace(/[ \t]*\r?\n[ \t\r\n]*/g, " ");
    case "html-template-attribute":
      return `${syntax.quote}${text}${syntax.quote}`;
    case "vue-template-text":
      return encodeTemplateText(text, "vue");
    case "svelte-template-text":
      return encodeTemplateText(text, "svelte");
    case "vue-template-attribute":
      return encodeTemplateAttribute(text, syntax.quote, "vue");
    case "svelte-template-attribute":
      return encodeTemplateAttribute(text, syntax.quote, "svelte");
    case "po-string":
      return encodePoString(text);
    default: {
      const unreachable: never = syntax;
      throw new Error(`Unknown copy syntax ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Characters a syntax cannot hold as plain text, as a message for the person; undefined when the text
 * can be encoded. In html`…` templates there are no escapes that htm and lit read alike.
 */
export function unencodableProblem(syntax: CopySyntax, text: string): string | undefined {
  if (syntax.type !== "html-template-text" && syntax.type !== "html-template-attribute") return undefined;
  const forbidden = ["<", "`", "\\", "${", ...(syntax.type === "html-template-attribute" ? [syntax.quote] : [])];
  const found = forbidden.filter((sequence) => text.includes(sequence));
  return found.length ? `This text cannot contain ${found.join(" or ")} here; ask an engineer for that change` : undefined;
}

const JSX_TEXT_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "{": "&#123;",
  "}": "&#125;",
  "\u00a0": "&nbsp;",
};

function encodeJsxText(text: string, apostrophe = "'", quote = '"'): string {
  // A newline inside JSX text renders as a single space anyway; keep the edit on the literal's lines.
  return text
    .replace(/[ \t]*\r?\n[ \t\r\n]*/g, " ")
    .replace(/[&<>{}\u00a0'"]/g, (char) => (char === "'" ? apostrophe : char === '"' ? quote : (JSX_TEXT_ENTITIES[char] ?? char)));
}

function encodeJsxAttribute(text: string, quote: string): string {
  // JSX attribute strings have no backslash escapes; quotes and ampersands are written as entities.
  const body = text.replace(/[&\u00a0"']/g, (char) => {
    if (char === "&") return "&amp;";
    if (char === "\u00a0") return "&nbsp;";
    if (char === quote) return char === '"' ? "&quot;" : "&apos;";
    return char;
  });
  return `${quote}${body}${quote}`;
}

function encodeJsString(text: string, quote: string): string {
  let body = text
    .replace(/\\/g, "\\\\")
    .replace(/\r/g, "\\r")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  if (quote === "`") return `\`${body.replace(/`/g, "\\`").replace(/\$\{/g, "\\${")}\``;
  body = body.replace(/\n/g, "\\n").split(quote).join(`\\${quote}`);
  return `${quote}${body}${quote}`;
}

// Vue and Svelte decode HTML entities in template text and attribute values (legacy ones such as `&copy`
// without a semicolon too), so an `&` that could start one is written `&amp;`; a lone `&` stays readable.
const ENTITY_START = /&(?=[#a-zA-Z0-9])/g;

/**
 * Template text of a .vue <template> or a .svelte component: `<` would open a tag, so it is `&lt;`. In Vue
 * `{{` opens an interpolation: a `{` followed by another, or last (the next thing in the file may be a
 * `{{ … }}`), is `&#123;`. In Svelte any `{` opens an expression, so both braces are entities.
 */
function encodeTemplateText(text: string, framework: "vue" | "svelte"): string {
  let body = text
    .replace(/[ \t]*\r?\n[ \t\r\n]*/g, " ")
    .replace(ENTITY_START, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/\u00a0/g, "&nbsp;");
  body = framework === "vue" ? body.replace(/\{(?=\{|$)/g, "&#123;") : body.replace(/[{}]/g, (brace) => (brace === "{" ? "&#123;" : "&#125;"));
  return body;
}

/** A quoted static attribute: its quote as an entity, and in Svelte the braces (`alt="{x}"` is an expression). */
function encodeTemplateAttribute(text: string, quote: string, framework: "vue" | "svelte"): string {
  let body = text
    .replace(ENTITY_START, "&amp;")
    .replace(/\u00a0/g, "&nbsp;")
    .split(quote)
    .join(quote === '"' ? "&quot;" : "&#39;");
  if (framework === "svelte") body = body.replace(/[{}]/g, (brace) => (brace === "{" ? "&#123;" : "&#125;"));
  return `${quote}${body}${quote}`;
}

// A .po string is C-like: these five escapes are all gettext needs for text; a line break is written as \n
// inside one quoted string (gettext joins a field's quoted strings, so one is as good as several).
const PO_ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r" };

function encodePoString(text: string): string {
  return `"${text.replace(/[\\"\n\t\r]/g, (char) => PO_ESCAPES[char] ?? char)}"`;
}

function encodeYamlScalar(text: string, style: "plain" | "single" | "double" | "block", inFlow: boolean): string {
  // A JSON string is a valid YAML double-quoted scalar, and fits anywhere a flow scalar does.
  const doubleQuoted = JSON.stringify(text);
  if (style === "single" && !/[\r\n]/.test(text)) return `'${text.replace(/'/g, "''")}'`;
  if (style === "plain" && isSafePlainScalar(text, inFlow)) return text;
  return doubleQuoted;
}

function isSafePlainScalar(text: string, inFlow: boolean): boolean {
  if (text === "" || text !== text.trim() || /[\r\n]/.test(text)) return false;
  if (inFlow && /[,[\]{}]/.test(text)) return false;
  const doc = parseDocument(`value: ${text}\n`);
  if (doc.errors.length > 0) return false;
  const value = doc.get("value", true);
  return isScalar(value) && value.type === "PLAIN" && value.value === text;
}

/**
 * Markdown text is written as typed, with a backslash only before what would otherwise become syntax. A
 * copywriter's `*private*` stays literal (`\*private\*`): the catalog lists each text run of a paragraph on
 * its own (`a *b* c` is three texts), so emphasis, code or a link typed into one text would split it into
 * several, the edit would no longer read back as typed, and every later text of the paragraph would move.
 * What cannot become syntax is left alone, so diffs stay readable: `Tom & Jerry`, `5 * 3`, `snake_case`,
 * `C:\Users`, `a < b` (in Markdown; MDX reads any `<` as a tag).
 */
function encodeMarkdownText(text: string, startsBlock: boolean, mdx: boolean, inTable: boolean): string {
  // Spaces at the ends are the source's own (the listed text is trimmed); typed ones could end an emphasis early.
  const line = text.replace(/[ \t]*\r?\n[ \t\r\n]*/g, " ").replace(/^[ \t]+|[ \t]+$/g, "");
  let body = line.replace(/\*+|_+|[\\`[\]<&{]/g, (match: string, offset: number) =>
    isMarkdownSyntax(match, line.slice(0, offset), line.slice(offset + match.length), mdx) ? match.replace(/./g, "\\$&") : match,
  );
  // In a table cell a bare | ends the cell (and a backslash before it keeps it as text, even in code).
  if (inTable) body = body.replace(/\|/g, "\\|");
  // A no-break space is whitespace to emphasis too: at an end, where it could touch a `*`, it is written as an entity.
  body = body.replace(/^\u00a0+|\u00a0+$/g, (spaces) => "&nbsp;".repeat(spaces.length));
  // `Title #` ending a heading would lose its `#`s as the heading's closing sequence.
  body = body.replace(/(^|[ \t])#(#*)$/, "$1\\#$2");
  if (startsBlock) {
    // Only at the start of a block can these open a heading, quote, list, code fence, table or thematic break.
    body = body.replace(/^([#>+=~|-])/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
  }
  return body;
}

/**
 * Whether `match` (one character, or a run of `*` or `_`) could be read as syntax between `before` and
 * `after`. A text's ends border on unknown neighbours (the start of a block, the next emphasis), so a
 * character there is treated as syntax when it could be.
 */
function isMarkdownSyntax(match: string, before: string, after: string, mdx: boolean): boolean {
  const previous = before.at(-1) ?? "";
  const next = after[0] ?? "";
  switch (match[0]) {
    case "*":
    case "_": {
      // A delimiter run with a space on both sides can neither open nor close emphasis; nor can `_` inside a word.
      if (/\s/.test(previous) && /\s/.test(next)) return false;
      return !(match[0] === "_" && /[\p{L}\p{N}]/u.test(previous) && /[\p{L}\p{N}]/u.test(next));
    }
    case "\\":
      // A backslash escapes only ASCII punctuation; at the end it could break the line or escape an `&nbsp;`.
      return /^\u00a0*$/.test(after) || /[!-/:-@[-`{-~]/.test(next);
    case "<":
      // An HTML tag, comment or autolink starts with a letter, `/`, `!` or `?` after the `<`; in MDX any `<` is JSX.
      return mdx || next === "" || /[a-zA-Z/!?]/.test(next);
    case "&":
      // Only a character reference (`&amp;`, `&#38;`, `&#x26;`) is decoded; a lone `&` is text.
      return /^(#\d+|#x[\da-f]+|[a-z\d]+);/i.test(after);
    case "{":
      // An MDX expression; in Markdown a brace is text.
      return mdx;
    default:
      // ` opens code, [ and ] a link or reference.
      return true;
  }
}
