import { hash } from "node:crypto";
import type { Nodes as MdastNodes } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { mdxFromMarkdown } from "mdast-util-mdx";
import { gfmTableFromMarkdown } from "mdast-util-gfm-table";
import { gfmTable } from "micromark-extension-gfm-table";
import { mdxjs } from "micromark-extension-mdxjs";
import ts from "typescript";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { CopyKind, CopySyntax, Draft } from "./draft";
import { htmlTemplateDrafts, isHtmlTemplate } from "./extract-html-templates";
import { extractPo, isPoCatalogPath } from "./extract-po";
import { extractSvelte, extractVue } from "./extract-vue-svelte";
import { isIcuCatalog } from "./icu-message";
import { linguiMessages } from "./lingui-messages";
import { decodeEntities } from "./html-entities";
import { exportedConstantDrafts, reachedConstantDrafts } from "./reached-constants";
import { COPY_ATTRIBUTES, componentName, literalDraft, plainLiterals, readsAsProse, stringAttribute, tagChain, withComponent } from "./script-nodes";
import { COPY_PROPERTIES, scriptStringDrafts } from "./script-strings";

export type { CopyKind, CopySyntax } from "./draft";

export type CopyFile = { path: string; content: string };

export type CopyString = {
  /** Stable across text edits: hash of path, kind and structural anchor (component, tag chain or key, occurrence). */
  id: string;
  path: string;
  kind: CopyKind;
  /** The text as it renders: entities and escapes decoded, JSX/Markdown whitespace collapsed. */
  text: string;
  /**
   * i18n key path (`pricing.title`, `items.one`, a .po file's `msgctxt|msgid`), a message id (FormatJS, i18next
   * defaults), a rendered constant's path (`FEATURES.0`) or the JSX attribute name.
   */
  key?: string;
  /** A default text in code for the message `key`: the catalog lists it only when no locale file has that key. */
  codeDefault?: true;
  /** An exported const's string: the catalog lists it only when a module that imports this path renders it. */
  exported?: string[];
  /** UTF-16 offsets into `content`: the whole literal token for strings, the trimmed text run for JSX/Markdown text. */
  start: number;
  end: number;
  line: number;
  context: { component?: string; before?: string; after?: string };
};

export type LocatedCopyString = CopyString & { syntax: CopySyntax };

export type CopyFileType = "script" | "vue" | "svelte" | "json" | "yaml" | "markdown" | "mdx" | "po";

const GENERATED_DIRS = new Set(["node_modules", "dist", "build", "vendor", ".next", "out", "coverage", "__tests__"]);
// Code and data that never render in the product: tests and their fixtures, stories, seeds, scaffolding scripts.
const NOT_PRODUCT_DIRS = new Set(["test", "tests", "__mocks__", "fixtures", "__fixtures__", "e2e", "cypress", "playwright", "remix.init", "storybook-static"]);
const NOT_PRODUCT_FILES = /\.(stories|story|fixture|fixtures)\.[^.]+$|^seed\.[cm]?[jt]s$/;
// Documents for developers, at any depth (a package's CHANGELOG, an ARCHITECTURE.md under docs), are not product copy;
// other docs (content/, a docs site's pages) are; whether a docs/ folder is a site's is unpublishedDocs' question.
const DEV_DOCS =
  /^(changelog|changes|history|license|licence|contributing|code_of_conduct|security|architecture|upgrading|migrating|agents|claude|gemini|skill|code_style|codestyle|writing_style|style_guide|styleguide|cla|governance|roadmap|maintainers|releasing|development)([._-][\w.-]*)?\.mdx?$/i;
// Decision records and agent skills are notes for the team, wherever they sit.
const DEV_DOC_DIRS = new Set(["adr", "adrs", "decisions", "rfcs", "skills"]);
// A README is the page of a docs or content folder (VuePress, GitHub-style sites); anywhere else it is for developers.
const README = /^readme(\.[a-z]+)?$/i;
const CONTENT_DIRS = new Set(["docs", "doc", "content", "pages", "blog", "posts", "guides", "articles", "website", "site"]);

/**
 * A `docs/` folder at the top of the repository or of a workspace (`apps/web/docs`) usually holds notes for the
 * developers (setup, deployment, how the code works): GitHub shows them, the product never does. Its Markdown is
 * copy only when a docs site publishes the folder, which the repository's paths tell (this returns whether a path
 * is Markdown of a folder no site publishes):
 * - a site of the repository: Docusaurus (`docusaurus.config.*`) and MkDocs (`mkdocs.yml`) read `docs/` by
 *   default, VitePress and VuePress keep their config in `.vitepress/`/`.vuepress/`, and an `apps/docs` or
 *   `packages/docs` workspace is a docs app;
 * - or the folder is a site itself: its own `package.json` (a Starlight, Nextra or Next.js app in `docs/`),
 *   Nextra's `_meta.*`, Mintlify's `mint.json`/`docs.json`, or MDX pages, which only a site's bundler renders
 *   (notes for developers are plain Markdown).
 * Other content folders (`content/docs`, `website/docs`, `src/content/docs`) are sites' content wherever they are.
 * This needs every path of the repository, so the catalog applies it when it lists files (worker/copy/copy-files.ts).
 */
export function unpublishedDocs(paths: readonly string[]): (path: string) => boolean {
  let repositoryHasSite = false;
  const sites = new Set<string>();
  for (const path of paths) {
    if (DOCS_SITE_OF_REPOSITORY.test(path)) repositoryHasSite = true;
    const folder = developerDocsFolder(path);
    if (folder !== undefined && DOCS_SITE_IN_FOLDER.test(path.slice(folder.length + 1))) sites.add(folder);
  }
  return (path) => {
    const folder = developerDocsFolder(path);
    return folder !== undefined && /\.mdx?$/.test(path) && !repositoryHasSite && !sites.has(folder);
  };
}

const DOCS_SITE_OF_REPOSITORY = /(^|\/)(docusaurus\.config\.[cm]?[jt]s|mkdocs\.ya?ml)$|(^|\/)\.(vitepress|vuepress)\/|^(apps|packages)\/docs\//;
const DOCS_SITE_IN_FOLDER = /^(package\.json|mint\.json|docs\.json)$|(^|\/)_meta\.(json|[cm]?[jt]sx?)$|\.mdx$/;
const WORKSPACE_DIRS = new Set(["apps", "packages", "libs", "services"]);

/** `docs` or `apps/web/docs` when the path is inside such a folder (`apps/docs` itself is a docs app, not notes). */
function developerDocsFolder(path: string): string | undefined {
  const segments = path.split("/");
  if (segments.length > 1 && segments[0] === "docs") return "docs";
  if (segments.length > 3 && WORKSPACE_DIRS.has(segments[0] ?? "") && segments[2] === "docs") return segments.slice(0, 3).join("/");
  return undefined;
}

export function classifyCopyFile(path: string): CopyFileType | undefined {
  const segments = path.split("/");
  const name = segments.at(-1) ?? "";
  const dirs = segments.slice(0, -1);
  if (dirs.some((segment) => GENERATED_DIRS.has(segment) || NOT_PRODUCT_DIRS.has(segment))) return undefined;
  // scripts/ at the top of the repository or of a workspace package holds the developers' tooling.
  if (/^(?:(?:apps|packages)\/[^/]+\/)?scripts\//.test(path)) return undefined;
  if (/\.(test|spec)\.[^.]+$/.test(name) || /\.min\.js$/.test(name) || /\.d\.[mc]?ts$/.test(name) || NOT_PRODUCT_FILES.test(name)) return undefined;
  if (/\.(js|jsx|ts|tsx|mjs)$/.test(name)) return "script";
  if (/\.vue$/.test(name)) return "vue";
  if (/\.svelte$/.test(name)) return "svelte";
  if (/\.json$/.test(name)) return isLocalePath(path, true) ? "json" : undefined;
  if (/\.ya?ml$/.test(name)) return isLocalePath(path, false) ? "yaml" : undefined;
  if (/\.po$/.test(name)) return isPoCatalogPath(path) ? "po" : undefined;
  if (README.test(name) && !dirs.some((segment) => CONTENT_DIRS.has(segment))) return undefined;
  if (DEV_DOCS.test(name) || dirs.some((segment) => DEV_DOC_DIRS.has(segment))) return undefined;
  // Hidden folders hold tooling, not pages: .github templates, .changeset notes, coding agents' plans.
  if (segments.slice(0, -1).some((segment) => segment.startsWith("."))) return undefined;
  if (/\.md$/.test(name)) return "markdown";
  if (/\.mdx$/.test(name)) return "mdx";
  return undefined;
}

// A file named for a language: en.json, pt-BR.json, en_GB.json.
const LANGUAGE_FILE = /^[a-z]{2,3}(?:[-_][A-Za-z\d]{2,8})*\.json$/;

function isLocalePath(path: string, json: boolean): boolean {
  const segments = path.split("/");
  const dirs = segments.slice(0, -1);
  if (dirs.includes("locales")) return true;
  if (!json) return false;
  // lang/en.json is FormatJS's extracted catalog (its compiled-lang/ output is not text); translations/ is common too.
  if ((dirs.includes("lang") || dirs.includes("translations")) && LANGUAGE_FILE.test(segments.at(-1) ?? "")) return true;
  return dirs.includes("i18n") || dirs.at(-1) === "messages";
}

export function extractStrings(files: CopyFile[]): CopyString[] {
  return extractLocatedStrings(files).map(withoutSyntax);
}

function withoutSyntax(located: LocatedCopyString): CopyString {
  const copy: CopyString = { ...located };
  delete (copy as Partial<LocatedCopyString>).syntax;
  return copy;
}

export function extractLocatedStrings(files: CopyFile[]): LocatedCopyString[] {
  return files.flatMap((file) => extractFile(file) ?? []);
}

/** Strings of one file, or undefined when the file is not copy or does not parse. */
export function extractFile(file: CopyFile): LocatedCopyString[] | undefined {
  const type = classifyCopyFile(file.path);
  if (type === undefined) return undefined;
  const drafts = draftsFor(type, file);
  if (drafts === undefined) return undefined;
  return finish(file, drafts);
}

function draftsFor(type: CopyFileType, file: CopyFile): Draft[] | undefined {
  switch (type) {
    case "script":
      return extractScript(file);
    case "vue":
      return extractVue(file);
    case "svelte":
      return extractSvelte(file);
    case "json":
      return extractJson(file);
    case "yaml":
      return extractYaml(file);
    case "markdown":
      return extractMarkdown(file, false);
    case "mdx":
      return extractMarkdown(file, true);
    case "po":
      return extractPo(file);
    default: {
      const unreachable: never = type;
      throw new Error(`Unknown copy file type ${String(unreachable)}`);
    }
  }
}

function finish(file: CopyFile, drafts: Draft[]): LocatedCopyString[] {
  const sorted = [...drafts].sort((a, b) => a.start - b.start);
  const seen = new Map<string, number>();
  const lineStarts = computeLineStarts(file.content);
  return sorted.map((draft, index) => {
    const anchor = `${draft.kind}\u0000${draft.anchor}`;
    const occurrence = seen.get(anchor) ?? 0;
    seen.set(anchor, occurrence + 1);
    // One-shot hash: a large component has thousands of strings, and createHash per string costs twice as much.
    const id = hash("sha256", `${file.path}\u0000${anchor}\u0000${occurrence}`).slice(0, 16);
    const before = sorted[index - 1]?.text;
    const after = sorted[index + 1]?.text;
    const context: CopyString["context"] = {};
    if (draft.component !== undefined) context.component = draft.component;
    if (before !== undefined) context.before = before;
    if (after !== undefined) context.after = after;
    const copy: LocatedCopyString = {
      id,
      path: file.path,
      kind: draft.kind,
      text: draft.text,
      start: draft.start,
      end: draft.end,
      line: lineOf(lineStarts, draft.start),
      context,
      syntax: draft.syntax,
    };
    if (draft.key !== undefined) copy.key = draft.key;
    if (draft.codeDefault) copy.codeDefault = true;
    if (draft.exported) copy.exported = draft.exported;
    return copy;
  });
}

function computeLineStarts(content: string): number[] {
  const starts = [0];
  for (let i = 0; i < content.length; i++) if (content[i] === "\n") starts.push(i + 1);
  return starts;
}

function lineOf(lineStarts: number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

// ---------- JS / TS / JSX ----------

// A catalog build reads each script twice (its strings here, its imports and keys in catalog.ts): one parse.
const parsedScripts = new WeakMap<CopyFile, ts.SourceFile>();

/** The file's syntax tree, parsed once per file object. */
export function sourceFileOf(file: CopyFile): ts.SourceFile {
  let sf = parsedScripts.get(file);
  if (!sf || sf.text !== file.content) {
    sf = ts.createSourceFile(file.path, file.content, ts.ScriptTarget.Latest, true, scriptKindFor(file.path));
    parsedScripts.set(file, sf);
  }
  return sf;
}

export function scriptKindFor(path: string): ts.ScriptKind {
  if (path.endsWith(".tsx")) return ts.ScriptKind.TSX;
  if (path.endsWith(".ts")) return ts.ScriptKind.TS;
  return ts.ScriptKind.JSX;
}

function extractScript(file: CopyFile): Draft[] {
  const sf = sourceFileOf(file);
  const drafts: Draft[] = [];

  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) {
      const draft = jsxTextDraft(file.content, node);
      if (draft) drafts.push(draft);
    } else if (ts.isJsxAttribute(node)) {
      drafts.push(...jsxAttributeDrafts(sf, node));
    } else if (isHtmlTemplate(node)) {
      const component = componentName(node);
      drafts.push(...htmlTemplateDrafts(sf, node, component ?? "").map((draft) => ({ ...draft, ...(component === undefined ? {} : { component }) })));
    } else if (ts.isJsxExpression(node) && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      if (node.expression) {
        const anchor = `${componentName(node) ?? ""}|${tagChain(node)}|expr`;
        for (const literal of plainLiterals(node.expression)) {
          if (!isPunctuationOnly(literal.text)) drafts.push({ ...literalDraft(sf, literal), kind: "jsx-text", anchor, ...withComponent(node) });
        }
      }
    } else {
      drafts.push(...scriptStringDrafts(sf, node));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  drafts.push(...reachedConstantDrafts(sf, renderedExpressions(sf)), ...exportedConstantDrafts(sf));

  // One literal can match two rules (a toast's { title } object, a label the JSX also reads): it is listed once.
  const seen = new Set<number>();
  return markTranslatedJsx(
    sf,
    drafts.filter((draft) => !seen.has(draft.start) && seen.add(draft.start)),
  );
}

/**
 * JSX text inside a translation component. Lingui's <Trans> compiles its children to an ICU message, so
 * braces and tags typed into a piece must keep it valid (checked like a catalog's message). react-i18next's
 * <Trans i18nKey="key"> children are the default of that key: a locale file with the key wins.
 */
function markTranslatedJsx(sf: ts.SourceFile, drafts: Draft[]): Draft[] {
  const lingui = linguiMessages(sf).filter((message) => message.covers.includes("jsx-text"));
  const i18next = /["']react-i18next["']|["']next-i18next["']/.test(sf.text) ? i18nextTransKeys(sf) : [];
  if (lingui.length === 0 && i18next.length === 0) return drafts;
  const within = (draft: Draft, range: { start: number; end: number }) => draft.start >= range.start && draft.start < range.end;
  return drafts.map((draft) => {
    if (draft.kind !== "jsx-text" || draft.syntax.type !== "jsx-text") return draft;
    if (lingui.some((message) => within(draft, message))) return { ...draft, syntax: { ...draft.syntax, icu: true } };
    const trans = i18next.find((range) => within(draft, range));
    return trans ? { ...draft, key: trans.key, codeDefault: true } : draft;
  });
}

/** Each <Trans i18nKey="key">…</Trans> element's key and range. */
function i18nextTransKeys(sf: ts.SourceFile): { key: string; start: number; end: number }[] {
  const found: { key: string; start: number; end: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isJsxElement(node) && node.openingElement.tagName.getText(sf) === "Trans") {
      const key = stringAttribute(node.openingElement.attributes, "i18nKey");
      if (key !== undefined) found.push({ key, start: node.getStart(sf), end: node.end });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** What JSX renders ({…} children, copy attributes): string constants it reads are copy too. */
export function renderedExpressions(sf: ts.SourceFile): ts.Expression[] {
  const rendered: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isJsxAttribute(node)) {
      const init = node.initializer;
      if (COPY_ATTRIBUTES.has(node.name.getText(sf)) && init && ts.isJsxExpression(init) && init.expression) rendered.push(init.expression);
    } else if (ts.isJsxExpression(node) && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent)) && node.expression) {
      rendered.push(node.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return rendered;
}

function jsxTextDraft(content: string, node: ts.JsxText): Draft | undefined {
  if (node.containsOnlyTriviaWhiteSpaces) return undefined;
  const raw = content.slice(node.pos, node.end);
  const leading = /^[ \t\r\n]*/.exec(raw)?.[0].length ?? 0;
  const trailing = /[ \t\r\n]*$/.exec(raw)?.[0].length ?? 0;
  if (leading === raw.length) return undefined;
  const start = node.pos + leading;
  const end = node.end - trailing;
  const text = renderJsxText(content.slice(start, end));
  if (isPunctuationOnly(text)) return undefined;
  return {
    kind: "jsx-text",
    anchor: `${componentName(node) ?? ""}|${tagChain(node)}|text`,
    text,
    start,
    end,
    ...withComponent(node),
    syntax: { type: "jsx-text", ...quoteStyle(content.slice(start, end)) },
  };
}

/**
 * How a JSX text writes ' and ": as typed when it has one typed, else the entity it uses, else an entity
 * (&apos; &quot;), which renders the same and passes react/no-unescaped-entities (Next.js's default lint).
 */
function quoteStyle(raw: string): { apostrophe: string; quote: string } {
  const style = (typed: string, entity: RegExp, fallback: string) => (raw.includes(typed) ? typed : (entity.exec(raw)?.[0] ?? fallback));
  return { apostrophe: style("'", /&(?:apos|#0*39|#x0*27);/i, "&apos;"), quote: style('"', /&(?:quot|#0*34|#x0*22);/i, "&quot;") };
}

/**
 * The "." after a link, the "(" and ")" around a value, a " · " or " | " between links: pieces of a sentence
 * that inline elements split, with no words to edit. Listed, they outnumbered real texts in some apps.
 */
function isPunctuationOnly(text: string): boolean {
  return /^[\p{P}\s|+=<>~^`]*$/u.test(text);
}

/** JSX whitespace rules (as Babel and TypeScript apply them), then entity decoding. */
export function renderJsxText(raw: string): string {
  const lines = raw.split(/\r\n|\r|\n/);
  const kept: string[] = [];
  lines.forEach((line, index) => {
    let trimmed = line.replace(/\t/g, " ");
    if (index > 0) trimmed = trimmed.replace(/^ +/, "");
    if (index < lines.length - 1) trimmed = trimmed.replace(/ +$/, "");
    if (trimmed !== "") kept.push(trimmed);
  });
  return decodeEntities(kept.join(" "));
}

function jsxAttributeDrafts(sf: ts.SourceFile, node: ts.JsxAttribute): Draft[] {
  const name = node.name.getText(sf);
  // FormatJS's <FormattedMessage defaultMessage="Hello {name}" />: the text, an ICU message.
  const icu = name === "defaultMessage";
  // Not `value`: on <option> or <input> it is form data the app reads, not text people see. A component's
  // text props (<PageHeader heading="Posts" text="Create and manage posts." />) are copy when they read as prose.
  const prop = !COPY_ATTRIBUTES.has(name) && !icu && COPY_PROPERTIES.has(name) && isComponentTag(node) && !isTranslatorNote(node, name);
  if (!COPY_ATTRIBUTES.has(name) && !icu && !prop) return [];
  const init = node.initializer;
  if (!init) return [];
  const anchor = `${componentName(node) ?? ""}|${tagChain(node)}|@${name}`;
  // <FormattedMessage id="cart.empty" defaultMessage="…">: the default of message cart.empty, which a catalog overrides.
  const id = icu ? stringAttribute(node.parent, "id") : undefined;
  const base = { kind: "jsx-attribute" as const, anchor, key: id ?? name, ...withComponent(node), ...(id !== undefined ? { codeDefault: true as const } : {}) };
  if (ts.isStringLiteral(init)) {
    const start = init.getStart(sf);
    const raw = sf.text.slice(start, init.end);
    const text = decodeEntities(raw.slice(1, -1));
    if (text.trim() === "" || (prop && !readsAsProse(text))) return [];
    const quote = raw[0] ?? '"';
    return [
      { ...base, text, start, end: init.end, syntax: icu ? { type: "jsx-attribute-string", quote, icu: true } : { type: "jsx-attribute-string", quote } },
    ];
  }
  if (ts.isJsxExpression(init) && init.expression) {
    return plainLiterals(init.expression)
      .filter((literal) => !prop || readsAsProse(literal.text))
      .map((literal) => ({ ...base, ...literalDraft(sf, literal, icu) }));
  }
  return [];
}

/** <FormattedMessage id defaultMessage description>: the description is a note for translators, never shown. */
function isTranslatorNote(attribute: ts.JsxAttribute, name: string): boolean {
  if (name !== "description") return false;
  return attribute.parent.properties.some((other) => ts.isJsxAttribute(other) && ["defaultMessage", "id", "i18nKey"].includes(other.name.getText()));
}

/** <PageHeader …> or <ui.Card …>: a component, whose props are its own (a DOM element's are attributes). */
function isComponentTag(attribute: ts.JsxAttribute): boolean {
  const element = attribute.parent.parent;
  const tag = element.tagName.getText();
  return /^[A-Z]/.test(tag) || tag.includes(".");
}

// ---------- i18n JSON ----------

function extractJson(file: CopyFile): Draft[] | undefined {
  try {
    JSON.parse(file.content);
  } catch {
    return undefined;
  }
  const sf = ts.parseJsonText(file.path, file.content);
  const root = sf.statements[0]?.expression;
  if (!root) return [];
  const drafts: Draft[] = [];
  const walk = (node: ts.Expression, keys: string[]): void => {
    if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        if (!ts.isPropertyAssignment(property)) continue;
        const name = property.name;
        const key = ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isIdentifier(name) ? name.text : name.getText(sf);
        walk(property.initializer, [...keys, key]);
      }
    } else if (ts.isArrayLiteralExpression(node)) {
      for (const [index, element] of node.elements.entries()) walk(element, [...keys, String(index)]);
    } else if (ts.isStringLiteral(node)) {
      const key = keys.join(".");
      drafts.push({ kind: "i18n", anchor: key, key, text: node.text, start: node.getStart(sf), end: node.end, syntax: { type: "json-string" } });
    }
  };
  walk(root, []);
  if (isIcuCatalog(drafts.map((draft) => draft.text))) for (const draft of drafts) draft.syntax = { type: "json-string", icu: true };
  return drafts;
}

// ---------- i18n YAML ----------

function extractYaml(file: CopyFile): Draft[] | undefined {
  const doc = parseDocument(file.content);
  if (doc.errors.length > 0) return undefined;
  const drafts: Draft[] = [];
  const walk = (node: unknown, keys: string[], inFlow: boolean): void => {
    if (isMap(node)) {
      const flow = inFlow || node.flow === true;
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, [...keys, key], flow);
      }
      return;
    }
    if (isSeq(node)) {
      const flow = inFlow || node.flow === true;
      for (const [index, item] of node.items.entries()) walk(item, [...keys, String(index)], flow);
      return;
    }
    if (!isScalar(node) || typeof node.value !== "string" || !node.range) return;
    const style = yamlStyle(node.type);
    let end = node.range[1];
    if (style === "block") while (end > node.range[0] && /[\r\n]/.test(file.content[end - 1] ?? "")) end--;
    const key = keys.join(".");
    drafts.push({ kind: "i18n", anchor: key, key, text: node.value, start: node.range[0], end, syntax: { type: "yaml-scalar", style, inFlow } });
  };
  walk(doc.contents, [], false);
  return drafts;
}

function yamlStyle(type: string | undefined): "plain" | "single" | "double" | "block" {
  if (type === "QUOTE_SINGLE") return "single";
  if (type === "QUOTE_DOUBLE") return "double";
  if (type === "BLOCK_LITERAL" || type === "BLOCK_FOLDED") return "block";
  return "plain";
}

// ---------- Markdown / MDX ----------

/** GitHub-flavoured tables are read as tables, so each cell is its own text (MDX too: docs sites use them). */
export function parseMarkdown(content: string, mdx: boolean): MdastNodes {
  if (!mdx) return fromMarkdown(content, { extensions: [gfmTable()], mdastExtensions: [gfmTableFromMarkdown()] });
  return fromMarkdown(content, { extensions: [mdxjs(), gfmTable()], mdastExtensions: [mdxFromMarkdown(), gfmTableFromMarkdown()] });
}

function extractMarkdown(file: CopyFile, mdx: boolean): Draft[] | undefined {
  let tree: MdastNodes;
  try {
    tree = parseMarkdown(file.content, mdx);
  } catch {
    return undefined;
  }
  const frontmatterEnd = frontmatterLength(file.content);
  const drafts: Draft[] = frontmatterDrafts(file.content, frontmatterEnd);
  const walk = (node: MdastNodes, chain: string[], firstInBlock: boolean): void => {
    if (node.type === "text") {
      const start = node.position?.start.offset;
      const end = node.position?.end.offset;
      if (start === undefined || end === undefined || start < frontmatterEnd) return;
      const raw = file.content.slice(start, end);
      const leading = /^[ \t\r\n]*/.exec(raw)?.[0].length ?? 0;
      const trailing = /[ \t\r\n]*$/.exec(raw)?.[0].length ?? 0;
      const text = node.value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "").replace(/[ \t\r\n]+/g, " ");
      if (text === "" || leading === raw.length) return;
      // The "." or ")." after a link, as in JSX; a table cell's "—" (nothing here) stays editable.
      if (isPunctuationOnly(text) && !chain.includes("tableCell")) return;
      drafts.push({
        kind: "markdown",
        anchor: chain.join(">"),
        text,
        start: start + leading,
        end: end - trailing,
        syntax: { type: "markdown-text", startsBlock: firstInBlock && leading === 0, mdx, ...(chain.includes("tableCell") ? { inTable: true as const } : {}) },
      });
      return;
    }
    if (!("children" in node)) return;
    const children = node.children as MdastNodes[];
    const isBlock = node.type === "paragraph" || node.type === "heading" || node.type === "tableCell";
    for (const [index, child] of children.entries()) walk(child, [...chain, node.type], isBlock ? index === 0 : firstInBlock && index === 0);
  };
  walk(tree, [], false);
  return drafts;
}

// Front matter fields that sites render (the page's title, its description in lists and link previews).
const FRONT_MATTER_COPY = new Set(["title", "description", "summary", "excerpt", "subtitle"]);

/** The shown fields of a `---` YAML front matter block, located in the file; the rest is configuration. */
function frontmatterDrafts(content: string, frontmatterEnd: number): Draft[] {
  if (frontmatterEnd === 0) return [];
  const bodyStart = content.indexOf("\n") + 1;
  const closing = /\r?\n---[ \t]*(\r?\n|$)/g;
  closing.lastIndex = bodyStart - 1;
  const bodyEnd = closing.exec(content)?.index ?? bodyStart;
  const doc = parseDocument(content.slice(bodyStart, bodyEnd));
  if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
  const drafts: Draft[] = [];
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = pair.value;
    if (!FRONT_MATTER_COPY.has(key) || !isScalar(value) || typeof value.value !== "string" || !value.range || value.value.trim() === "") continue;
    const style = yamlStyle(value.type);
    let end = bodyStart + value.range[1];
    if (style === "block") while (end > bodyStart + value.range[0] && /[\r\n]/.test(content[end - 1] ?? "")) end--;
    drafts.push({
      kind: "markdown",
      anchor: `frontmatter>${key}`,
      key,
      text: value.value,
      start: bodyStart + value.range[0],
      end,
      syntax: { type: "yaml-scalar", style, inFlow: false },
    });
  }
  return drafts;
}

/** `---` front matter is metadata; without a front matter extension it would parse as a setext heading. */
function frontmatterLength(content: string): number {
  const match = /^---\r?\n[\s\S]*?\r?\n---[ \t]*(\r?\n|$)/.exec(content);
  return match ? match[0].length : 0;
}
