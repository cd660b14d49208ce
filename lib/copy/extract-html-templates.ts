// Text in html`…` tagged templates (htm with Preact/React, lit). The template's static parts are joined
// with a placeholder for each ${…} and parsed with parse5, a spec-compliant HTML parser that reports
// source offsets; text and copy attributes found entirely inside one static part map back to byte ranges
// of the script. Anything that touches an interpolation is dynamic and never listed.
import { parseFragment, type DefaultTreeAdapterMap } from "parse5";
import ts from "typescript";
import { COPY_ATTRIBUTES } from "./script-nodes";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

export type HtmlTemplateDraft = {
  kind: "jsx-text" | "jsx-attribute";
  anchor: string;
  text: string;
  key?: string;
  start: number;
  end: number;
  syntax: { type: "html-template-text" } | { type: "html-template-attribute"; quote: string };
};

const TEMPLATE_TAGS = new Set(["html", "htm", "svg"]);
// Letters only, so a placeholder in a tag name (`<${Card}>`) still parses as a tag; the same for every
// interpolation, so `<${Card}>…</${Card}>` opens and closes the same element.
const PLACEHOLDER = "pbslotxpbslot";
const PLACEHOLDER_RUN = /pbslotxpbslot/;
const NOT_RENDERED = new Set(["script", "style", "template"]);

export function isHtmlTemplate(node: ts.Node): node is ts.TaggedTemplateExpression {
  return ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && TEMPLATE_TAGS.has(node.tag.text);
}

type Piece = { combinedStart: number; sourceStart: number; length: number };

export function htmlTemplateDrafts(sf: ts.SourceFile, node: ts.TaggedTemplateExpression, component: string): HtmlTemplateDraft[] {
  const pieces: Piece[] = [];
  let combined = "";
  const add = (sourceStart: number, sourceEnd: number, followedByInterpolation: boolean) => {
    pieces.push({ combinedStart: combined.length, sourceStart, length: sourceEnd - sourceStart });
    combined += sf.text.slice(sourceStart, sourceEnd);
    if (followedByInterpolation) combined += PLACEHOLDER;
  };
  const template = node.template;
  if (ts.isNoSubstitutionTemplateLiteral(template)) {
    add(template.getStart(sf) + 1, template.end - 1, false);
  } else {
    add(template.head.getStart(sf) + 1, template.head.end - 2, true);
    for (const span of template.templateSpans) {
      const last = ts.isTemplateTail(span.literal);
      add(span.literal.getStart(sf) + 1, span.literal.end - (last ? 1 : 2), !last);
    }
  }

  const toSource = (from: number, to: number): [number, number] | undefined => {
    const piece = pieces.find((candidate) => from >= candidate.combinedStart && to <= candidate.combinedStart + candidate.length);
    if (!piece) return undefined;
    return [piece.sourceStart + (from - piece.combinedStart), piece.sourceStart + (to - piece.combinedStart)];
  };

  const drafts: HtmlTemplateDraft[] = [];
  const walk = (parent: Node, chain: string[]): void => {
    if (!("childNodes" in parent)) return;
    for (const child of parent.childNodes) {
      if (child.nodeName === "#text" && "sourceCodeLocation" in child && child.sourceCodeLocation) {
        const location = child.sourceCodeLocation;
        drafts.push(...textDrafts(combined, location.startOffset, location.endOffset, toSource, `${component}|html|${chain.join(">")}|text`));
      } else if ("tagName" in child) {
        const element = child as Element;
        if (NOT_RENDERED.has(element.tagName)) continue;
        const tag = PLACEHOLDER_RUN.test(element.tagName) ? "component" : element.tagName;
        drafts.push(...attributeDrafts(combined, element, toSource, `${component}|html|${[...chain, tag].join(">")}`));
        walk(element, [...chain, tag]);
      }
    }
  };
  walk(parseFragment(combined, { sourceCodeLocationInfo: true }), []);
  return drafts;
}

/** One draft per run of text between interpolations; whitespace at the ends is not part of the copy. */
function textDrafts(
  combined: string,
  start: number,
  end: number,
  toSource: (from: number, to: number) => [number, number] | undefined,
  anchor: string,
): HtmlTemplateDraft[] {
  const runs: [number, number][] = [];
  const placeholders = new RegExp(PLACEHOLDER_RUN.source, "g");
  let runStart = start;
  for (const match of combined.slice(start, end).matchAll(placeholders)) {
    runs.push([runStart, start + (match.index ?? 0)]);
    runStart = start + (match.index ?? 0) + match[0].length;
  }
  runs.push([runStart, end]);
  return runs.flatMap(([from, to]): HtmlTemplateDraft[] => {
    const run = combined.slice(from, to);
    const trimmed = run.trim();
    // A backslash would need JavaScript's escape rules to read; such text is left to engineers. `<` or `>`
    // means the parser took markup for text (an unclosed <textarea />, htm's <//>): never offer that.
    if (trimmed === "" || /[\\<>]/.test(trimmed) || !/\p{L}|\p{N}/u.test(trimmed)) return [];
    const leading = run.length - run.trimStart().length;
    const range = toSource(from + leading, from + leading + trimmed.length);
    if (!range) return [];
    return [{ kind: "jsx-text", anchor, text: trimmed.replace(/\s+/g, " "), start: range[0], end: range[1], syntax: { type: "html-template-text" } }];
  });
}

function attributeDrafts(
  combined: string,
  element: Element,
  toSource: (from: number, to: number) => [number, number] | undefined,
  anchor: string,
): HtmlTemplateDraft[] {
  const locations = element.sourceCodeLocation?.attrs;
  if (!locations) return [];
  return element.attrs.flatMap((attribute): HtmlTemplateDraft[] => {
    const location = locations[attribute.name];
    if (!COPY_ATTRIBUTES.has(attribute.name) || !location) return [];
    // name="value" or name='value': the value is the quoted tail of the attribute's source.
    const raw = combined.slice(location.startOffset, location.endOffset);
    const quote = raw.at(-1);
    if (quote !== '"' && quote !== "'") return [];
    const valueStart = location.startOffset + raw.indexOf(quote);
    const text = combined.slice(valueStart + 1, location.endOffset - 1);
    if (text.trim() === "" || PLACEHOLDER_RUN.test(text) || text.includes("\\")) return [];
    const range = toSource(valueStart, location.endOffset);
    if (!range) return [];
    return [
      {
        kind: "jsx-attribute",
        anchor: `${anchor}|@${attribute.name}`,
        key: attribute.name,
        text,
        start: range[0],
        end: range[1],
        syntax: { type: "html-template-attribute", quote },
      },
    ];
  });
}
