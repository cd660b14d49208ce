// Text in Vue single-file components and Svelte components, located by the frameworks' own parsers
// (@vue/compiler-dom in its SFC mode, svelte/compiler's parse), so offsets are exactly what those compilers
// read. Listed: the template's text runs between tags and interpolations, and static copy attributes
// (COPY_ATTRIBUTES). Never listed: {{ … }} / {…} expressions, bound attributes (:title, v-bind, title={…}),
// <script> and <style> blocks, custom blocks such as <i18n>, and text whose whitespace is significant.
import { createRequire } from "node:module";
import type { AttributeNode, ElementNode, RootNode, TemplateChildNode } from "@vue/compiler-dom";
import type { Draft } from "./draft";
import { COPY_ATTRIBUTES } from "./script-nodes";

// Loaded on the first .vue or .svelte file, as CommonJS: a repository without any pays nothing, and the
// CommonJS builds load in a fraction of the time of their ES module trees (svelte: ~70 ms against ~250 ms).
const require = createRequire(import.meta.url);
let vueCompiler: typeof import("@vue/compiler-dom") | undefined;
let svelteCompiler: typeof import("svelte/compiler") | undefined;
const vue = () => (vueCompiler ??= require("@vue/compiler-dom") as typeof import("@vue/compiler-dom"));
const svelte = () => (svelteCompiler ??= require("svelte/compiler") as typeof import("svelte/compiler"));

type File = { path: string; content: string };

// Not text people read (script, style), or text whose line breaks and spaces render as written: collapsing
// them for the list would not match the page.
const SKIPPED_ELEMENTS = new Set(["script", "style", "pre", "textarea"]);
// HTML's whitespace: what both compilers collapse between words (a no-break space is text).
const HTML_SPACE = /[ \t\n\r\f]+/g;

/**
 * The component's name as people see it in the file tree: the file name without its extension, with its
 * folder for SvelteKit's route files, which all have the same few names (`pricing/+page`).
 */
function componentOf(path: string): string {
  const segments = path.split("/");
  const name = (segments.at(-1) ?? path).replace(/\.(vue|svelte)$/, "");
  const folder = segments.at(-2);
  return name.startsWith("+") && folder !== undefined ? `${folder}/${name}` : name;
}

/**
 * A text node's copy: its source range without the whitespace at either end, and the decoded text with
 * whitespace collapsed as HTML renders it. Undefined for whitespace, punctuation alone, or a range that holds
 * a `<` or `{{` the parser kept as text (Vue's v-pre, an unclosed {{, a tag it gave up on): never offered.
 */
function textRun(source: string, start: number, end: number, decoded: string): { start: number; end: number; text: string } | undefined {
  const raw = source.slice(start, end);
  const leading = /^[ \t\n\r\f]*/.exec(raw)?.[0].length ?? 0;
  const trailing = /[ \t\n\r\f]*$/.exec(raw)?.[0].length ?? 0;
  if (leading === raw.length) return undefined;
  const trimmedRaw = raw.slice(leading, raw.length - trailing);
  if (/<|\{\{/.test(trimmedRaw)) return undefined;
  const text = decoded.replace(HTML_SPACE, " ").replace(/^ | $/g, "");
  if (!/\p{L}|\p{N}/u.test(text)) return undefined;
  return { start: start + leading, end: end - trailing, text };
}

/** A quoted attribute value at [start, end) (quotes included) as a draft; undefined when unquoted or empty. */
function attributeDraft(
  source: string,
  name: string,
  start: number,
  end: number,
  text: string,
  anchor: string,
  component: string,
  syntax: (quote: string) => Draft["syntax"],
): Draft | undefined {
  const quote = source[start];
  if ((quote !== '"' && quote !== "'") || source[end - 1] !== quote || end - start < 2) return undefined;
  if (text.trim() === "") return undefined;
  return { kind: "jsx-attribute", anchor: `${anchor}|@${name}`, key: name, text, start, end, component, syntax: syntax(quote) };
}

// ---------- Vue ----------

const parsedVue = new WeakMap<File, { content: string; root: RootNode; errors: number }>();

/** The SFC as @vue/compiler-sfc reads it (SFC mode: only <template> is markup), parsed once per file object. */
function vueTree(file: File): { root: RootNode; errors: number } {
  const cached = parsedVue.get(file);
  if (cached && cached.content === file.content) return cached;
  let errors = 0;
  // With onError the parser recovers and goes on, as the Vue compiler's own error list does. comments: its
  // production build drops comments by default and joins the text around one into a node that spans it.
  const root = vue().parse(file.content, { parseMode: "sfc", comments: true, onError: () => errors++ });
  const parsed = { content: file.content, root, errors };
  parsedVue.set(file, parsed);
  return parsed;
}

/** The top-level <template> when it is HTML (not <template lang="pug">, whose text is not markup). */
function vueTemplate(root: RootNode): ElementNode | undefined {
  const { NodeTypes } = vue();
  for (const child of root.children) {
    if (child.type !== NodeTypes.ELEMENT || child.tag !== "template") continue;
    const lang = child.props.find((prop): prop is AttributeNode => prop.type === NodeTypes.ATTRIBUTE && prop.name === "lang");
    if (lang?.value && lang.value.content !== "html") return undefined;
    return child;
  }
  return undefined;
}

export function extractVue(file: File): Draft[] {
  const { NodeTypes } = vue();
  const template = vueTemplate(vueTree(file).root);
  if (!template) return [];
  const component = componentOf(file.path);
  const source = file.content;
  const drafts: Draft[] = [];
  const walk = (children: TemplateChildNode[], chain: string[]): void => {
    for (const child of children) {
      if (child.type === NodeTypes.TEXT) {
        const run = textRun(source, child.loc.start.offset, child.loc.end.offset, child.content);
        if (run)
          drafts.push({ kind: "jsx-text", anchor: `${component}|vue|${chain.join(">")}|text`, ...run, component, syntax: { type: "vue-template-text" } });
      } else if (child.type === NodeTypes.ELEMENT) {
        if (SKIPPED_ELEMENTS.has(child.tag)) continue;
        const tags = [...chain, child.tag];
        const anchor = `${component}|vue|${tags.join(">")}`;
        for (const prop of child.props) {
          // Static attributes only: :title / v-bind:title are directives, never plain text.
          if (prop.type !== NodeTypes.ATTRIBUTE || !COPY_ATTRIBUTES.has(prop.name) || !prop.value) continue;
          const { start, end } = prop.value.loc;
          const draft = attributeDraft(source, prop.name, start.offset, end.offset, prop.value.content, anchor, component, (quote) => ({
            type: "vue-template-attribute",
            quote,
          }));
          if (draft) drafts.push(draft);
        }
        // v-html and v-text replace the element's children.
        if (child.props.some((prop) => prop.type === NodeTypes.DIRECTIVE && (prop.name === "html" || prop.name === "text"))) continue;
        walk(child.children, tags);
      }
    }
  };
  walk(template.children, []);
  return drafts;
}

// ---------- Svelte ----------

type SvelteNode = { type: string; start: number; end: number; [key: string]: unknown };
type SvelteFragment = { type: "Fragment"; nodes: SvelteNode[] };
type SvelteRoot = { fragment: SvelteFragment };

const parsedSvelte = new WeakMap<File, { content: string; root: SvelteRoot | undefined }>();
// <script>/<style> blocks with their attributes (a generics="T extends Record<K, V>" may hold a `>`).
const SCRIPT_OR_STYLE = /(<(script|style)(?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*>)([\s\S]*?)(<\/\2\s*>)/gi;

/**
 * The component with its <script> and <style> contents blanked (same length, line breaks kept): copy mode
 * reads neither, and svelte/compiler would fail on a style in SCSS or Stylus, which a preprocessor turns
 * into CSS before Svelte sees it.
 */
function withoutScriptsAndStyles(content: string): string {
  return content.replace(SCRIPT_OR_STYLE, (_match, open: string, _name: string, body: string, close: string) => open + body.replace(/[^\n]/g, " ") + close);
}

/** The component's syntax tree (svelte/compiler's modern AST), or undefined when it does not parse. */
function svelteTree(file: File): SvelteRoot | undefined {
  const cached = parsedSvelte.get(file);
  if (cached && cached.content === file.content) return cached.root;
  let root: SvelteRoot | undefined;
  try {
    root = svelte().parse(withoutScriptsAndStyles(file.content), { modern: true }) as unknown as SvelteRoot;
  } catch {
    root = undefined;
  }
  parsedSvelte.set(file, { content: file.content, root });
  return root;
}

function isFragment(value: unknown): value is SvelteFragment {
  return (
    typeof value === "object" && value !== null && (value as { type?: unknown }).type === "Fragment" && Array.isArray((value as { nodes?: unknown }).nodes)
  );
}

/** Elements, components and svelte:* tags: a name, attributes and children. */
function isSvelteElement(node: SvelteNode): node is SvelteNode & { name: string; attributes: SvelteNode[]; fragment: SvelteFragment } {
  return typeof node.name === "string" && Array.isArray(node.attributes) && isFragment(node.fragment);
}

export function extractSvelte(file: File): Draft[] | undefined {
  const root = svelteTree(file);
  if (!root) return undefined;
  const component = componentOf(file.path);
  const source = file.content;
  const drafts: Draft[] = [];
  const walk = (fragment: SvelteFragment, chain: string[]): void => {
    for (const node of fragment.nodes) {
      if (node.type === "Text") {
        const run = textRun(source, node.start, node.end, String(node.data ?? ""));
        if (run)
          drafts.push({ kind: "jsx-text", anchor: `${component}|svelte|${chain.join(">")}|text`, ...run, component, syntax: { type: "svelte-template-text" } });
      } else if (isSvelteElement(node)) {
        if (SKIPPED_ELEMENTS.has(node.name)) continue;
        const tags = [...chain, node.name];
        for (const attribute of node.attributes) {
          // alt="A cat" is one Text; alt={x} or alt="A {kind}" hold expressions and are dynamic.
          const value = attribute.value;
          if (attribute.type !== "Attribute" || typeof attribute.name !== "string" || !COPY_ATTRIBUTES.has(attribute.name)) continue;
          if (!Array.isArray(value) || value.length !== 1 || value[0]?.type !== "Text") continue;
          const text = value[0] as SvelteNode;
          const draft = attributeDraft(
            source,
            attribute.name,
            text.start - 1,
            text.end + 1,
            String(text.data ?? ""),
            `${component}|svelte|${tags.join(">")}`,
            component,
            (quote) => ({
              type: "svelte-template-attribute",
              quote,
            }),
          );
          if (draft) drafts.push(draft);
        }
        walk(node.fragment, tags);
      } else {
        // {#if}/{:else}, {#each}, {#await}, {#key}, {#snippet}: their branches render in the same element.
        for (const value of Object.values(node)) if (isFragment(value)) walk(value, chain);
      }
    }
  };
  walk(root.fragment, []);
  return drafts;
}

// ---------- Checks after an edit ----------

/** Parse errors the framework's parser reports: Vue's recovered errors, 1 when Svelte's parser throws. */
export function componentSyntaxErrorCount(file: File, type: "vue" | "svelte"): number {
  if (type === "vue") return vueTree(file).errors;
  return svelteTree(file) ? 0 : 1;
}

/**
 * The file's markup without its text: every element, component, block and expression with its attribute
 * names, in order. An edit only replaces text, so this must not change; if it does, the edit wrote markup.
 */
export function componentShape(file: File, type: "vue" | "svelte"): string {
  const parts: string[] = [];
  if (type === "vue") {
    const { NodeTypes } = vue();
    const visit = (node: RootNode | TemplateChildNode): void => {
      if (node.type === NodeTypes.ELEMENT) {
        const props = node.props.map((prop) => (prop.type === NodeTypes.ATTRIBUTE ? prop.name : `v-${prop.name}`));
        parts.push(`<${node.tag} ${props.join(" ")}>`);
      } else if (node.type !== NodeTypes.TEXT) parts.push(`#${node.type}`);
      if ("children" in node && Array.isArray(node.children)) for (const child of node.children as TemplateChildNode[]) visit(child);
    };
    visit(vueTree(file).root);
    return parts.join("");
  }
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const node = value as Partial<SvelteNode>;
    if (typeof node.type === "string" && node.type !== "Text") parts.push(`${node.type}:${typeof node.name === "string" ? node.name : ""}`);
    for (const [key, child] of Object.entries(node)) if (key !== "loc" && key !== "metadata") visit(child);
  };
  visit(svelteTree(file)?.fragment);
  return parts.join(",");
}
