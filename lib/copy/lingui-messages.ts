// The messages Lingui's macros make of code, written the way `lingui extract` writes them into .po catalogs
// (its msgid): `<Trans>Read the <a>docs</a>, {name}</Trans>` is "Read the <0>docs</0>, {name}",
// t`Hello ${name}` is "Hello {name}", <Plural value={n} one="# file" other="# files"/> is
// "{n, plural, one {# file} other {# files}}".
//
// The catalog uses them to list each message once. Where the source language's catalog has the message, its
// msgstr is what the app renders (lingui compile prefers it to the msgid), so that entry is the one listed,
// whole, with the pages of the code that uses it, and the code's pieces are not: editing the code would
// change the msgid, unlink every translation and, until someone runs `lingui extract`, show generated ids
// in production. A message this module cannot rebuild exactly simply matches nothing, and both stay listed.
import ts from "typescript";
import type { CopyKind } from "./draft";
import { decodeEntities } from "./html-entities";
import { stringAttribute, stringProperty } from "./script-nodes";

/**
 * key: the catalog key as lib/copy/extract-po.ts writes it (`context|message`, or the explicit id);
 * [start, end): the code it comes from; covers: the kinds of code strings in that range that are its pieces.
 */
export type LinguiMessage = { key: string; start: number; end: number; covers: CopyKind[] };

const JSX_MACROS = new Set(["Trans", "Plural", "Select", "SelectOrdinal"]);
const TEMPLATE_MACROS = new Set(["t", "msg", "defineMessage"]);
const CHOICE_MACROS: Record<string, string> = { plural: "plural", select: "select", selectOrdinal: "selectordinal" };
const CHOICE_ELEMENTS: Record<string, string> = { Plural: "plural", Select: "select", SelectOrdinal: "selectordinal" };
// Props of <Plural>/<Select> that are not choices.
const CHOICE_OPTIONS = new Set(["value", "offset", "id", "context", "comment", "render", "component"]);

/** Every macro message of a file that imports from Lingui (`@lingui/macro`, `@lingui/react/macro`, `@lingui/core/macro`). */
export function linguiMessages(sf: ts.SourceFile): LinguiMessage[] {
  if (!sf.statements.some((statement) => ts.isImportDeclaration(statement) && /^["']@lingui\//.test(statement.moduleSpecifier.getText(sf)))) return [];
  const messages: LinguiMessage[] = [];
  const visit = (node: ts.Node): void => {
    const found = messageOf(sf, node);
    if (found) {
      messages.push(found);
      return; // a message's nested macros are part of it
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return messages;
}

function messageOf(sf: ts.SourceFile, node: ts.Node): LinguiMessage | undefined {
  const at = { start: node.getStart(sf), end: node.end };
  if ((ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node)) && JSX_MACROS.has(tagName(node))) {
    const attributes = ts.isJsxElement(node) ? node.openingElement.attributes : node.attributes;
    const id = stringAttribute(attributes, "id");
    const context = stringAttribute(attributes, "context");
    const message = tagName(node) === "Trans" ? transMessage(sf, node) : choiceElement(sf, node, new Counter());
    if (message === undefined && id === undefined) return undefined;
    const covers: CopyKind[] = tagName(node) === "Trans" ? ["jsx-text"] : ["jsx-attribute", "script-string"];
    return { key: keyOf(id ?? message ?? "", context), ...at, covers };
  }
  if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && TEMPLATE_MACROS.has(node.tag.text)) {
    const message = templateMessage(sf, node.template, new Counter());
    return message === undefined ? undefined : { key: message, ...at, covers: ["script-string"] };
  }
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
    const name = node.expression.text;
    const [first] = node.arguments;
    // t({ id, message, context }), msg({…}), defineMessage({…})
    if (TEMPLATE_MACROS.has(name) && first && ts.isObjectLiteralExpression(first)) {
      const id = stringProperty(first, "id");
      const message = stringProperty(first, "message");
      if (id === undefined && message === undefined) return undefined;
      return { key: keyOf(id ?? message ?? "", stringProperty(first, "context")), ...at, covers: ["script-string"] };
    }
    const choice = CHOICE_MACROS[name];
    if (choice) {
      const message = choiceCall(sf, node, choice, new Counter());
      return message === undefined ? undefined : { key: message, ...at, covers: ["script-string"] };
    }
  }
  return undefined;
}

function keyOf(message: string, context: string | undefined): string {
  return context === undefined ? message : `${context}|${message}`;
}

/** Positional placeholders ({0}, {1}) for values that are not plain names, and numbers for inline elements. */
class Counter {
  private values = 0;
  private elements = 0;
  value(): string {
    return String(this.values++);
  }
  element(): number {
    return this.elements++;
  }
}

function tagName(node: ts.JsxElement | ts.JsxSelfClosingElement): string {
  return (ts.isJsxElement(node) ? node.openingElement.tagName : node.tagName).getText();
}

function transMessage(sf: ts.SourceFile, node: ts.JsxElement | ts.JsxSelfClosingElement): string | undefined {
  if (!ts.isJsxElement(node)) return undefined;
  const raw = jsxChildren(sf, node.children, new Counter());
  return raw === undefined ? undefined : normalizeJsxWhitespace(raw);
}

/** The children of a Trans as one message, or undefined for something this module does not rebuild. */
function jsxChildren(sf: ts.SourceFile, children: ts.NodeArray<ts.JsxChild>, counter: Counter): string | undefined {
  let message = "";
  for (const child of children) {
    const part = jsxChild(sf, child, counter);
    if (part === undefined) return undefined;
    message += part;
  }
  return message;
}

function jsxChild(sf: ts.SourceFile, child: ts.JsxChild, counter: Counter): string | undefined {
  if (ts.isJsxText(child)) return decodeEntities(child.text);
  if (ts.isJsxExpression(child)) {
    const expression = child.expression;
    if (!expression) return ""; // a {/* comment */}
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return expression.text;
    if (ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && CHOICE_MACROS[expression.expression.text]) {
      return choiceCall(sf, expression, CHOICE_MACROS[expression.expression.text] ?? "", counter);
    }
    return placeholder(expression, counter);
  }
  if (ts.isJsxElement(child) || ts.isJsxSelfClosingElement(child)) {
    const choice = CHOICE_ELEMENTS[tagName(child)];
    if (choice) return choiceElement(sf, child, counter);
    // Lingui numbers inline elements in the order they open: <0>…<1/>…</0>.
    const index = counter.element();
    if (ts.isJsxSelfClosingElement(child)) return `<${index}/>`;
    const inner = jsxChildren(sf, child.children, counter);
    return inner === undefined ? undefined : `<${index}>${inner}</${index}>`;
  }
  if (ts.isJsxFragment(child)) return jsxChildren(sf, child.children, counter);
  return undefined;
}

/** `{name}` keeps its name; any other value is numbered. */
function placeholder(expression: ts.Expression, counter: Counter): string {
  return ts.isIdentifier(expression) ? `{${expression.text}}` : `{${counter.value()}}`;
}

/**
 * Lingui's whitespace rule for JSX messages: line breaks (with the indentation around them) next to a tag or
 * a placeholder vanish, other line breaks read as one space, and the ends are trimmed.
 */
function normalizeJsxWhitespace(text: string): string {
  return text
    .replace(/([>}])(?:\r\n|\r|\n)+\s*|(?:\r\n|\r|\n)+\s*(?=[<{])/g, "$1")
    .replace(/\s*(?:\r\n|\r|\n)+\s*/g, " ")
    .trim();
}

function templateMessage(sf: ts.SourceFile, template: ts.TemplateLiteral, counter: Counter): string | undefined {
  if (ts.isNoSubstitutionTemplateLiteral(template)) return template.text;
  let message = template.head.text;
  for (const span of template.templateSpans) {
    const expression = span.expression;
    if (ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && CHOICE_MACROS[expression.expression.text]) {
      const choice = choiceCall(sf, expression, CHOICE_MACROS[expression.expression.text] ?? "", counter);
      if (choice === undefined) return undefined;
      message += choice;
    } else message += placeholder(expression, counter);
    message += span.literal.text;
  }
  return message;
}

/** plural(count, { one: "# file", other: "# files" }) → {count, plural, one {# file} other {# files}}. */
function choiceCall(sf: ts.SourceFile, call: ts.CallExpression, format: string, counter: Counter): string | undefined {
  const [value, options] = call.arguments;
  if (!value || !options || !ts.isObjectLiteralExpression(options)) return undefined;
  const name = placeholder(value, counter).slice(1, -1);
  const choices: string[] = [];
  let offset = "";
  for (const property of options.properties) {
    if (!ts.isPropertyAssignment(property)) return undefined;
    const key = property.name.getText(sf).replace(/^["']|["']$/g, "");
    const text = choiceText(sf, property.initializer, counter);
    if (text === undefined) return undefined;
    if (key === "offset") offset = ` offset:${text}`;
    else choices.push(`${choiceKey(key)} {${text}}`);
  }
  return `{${name}, ${format},${offset} ${choices.join(" ")}}`;
}

/** <Plural value={count} one="# file" other="# files" _0="No files"/> as the same ICU choice. */
function choiceElement(sf: ts.SourceFile, node: ts.JsxElement | ts.JsxSelfClosingElement, counter: Counter): string | undefined {
  const format = CHOICE_ELEMENTS[tagName(node)];
  const attributes = ts.isJsxElement(node) ? node.openingElement.attributes : node.attributes;
  if (!format) return undefined;
  let name: string | undefined;
  let offset = "";
  const choices: string[] = [];
  for (const attribute of attributes.properties) {
    if (!ts.isJsxAttribute(attribute)) return undefined;
    const key = attribute.name.getText(sf);
    // value="…" or value={…}
    const initializer = attribute.initializer;
    const expression =
      initializer && ts.isStringLiteral(initializer) ? initializer : initializer && ts.isJsxExpression(initializer) ? initializer.expression : undefined;
    if (!expression) return undefined;
    if (key === "value") name = placeholder(expression, counter).slice(1, -1);
    else if (key === "offset") offset = ` offset:${choiceText(sf, expression, counter) ?? expression.getText(sf)}`;
    else if (!CHOICE_OPTIONS.has(key)) {
      const text = choiceText(sf, expression, counter);
      if (text === undefined) return undefined;
      choices.push(`${choiceKey(key)} {${text}}`);
    }
  }
  return name === undefined ? undefined : `{${name}, ${format},${offset} ${choices.join(" ")}}`;
}

function choiceText(sf: ts.SourceFile, expression: ts.Expression, counter: Counter): string | undefined {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return expression.text;
  if (ts.isTemplateExpression(expression)) return templateMessage(sf, expression, counter);
  if (ts.isNumericLiteral(expression)) return expression.text;
  return undefined;
}

/** Lingui writes exact choices as _0 (=0) and select cases as _male (male). */
function choiceKey(key: string): string {
  return key.replace(/^_(\d+)$/, "=$1").replace(/^_(\w+)$/, "$1");
}
