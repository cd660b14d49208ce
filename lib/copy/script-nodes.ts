// Where a node of a script sits (its component, its JSX tags, its place in nested literals) and how a string
// literal in it is located: the pieces every script extractor builds its drafts and anchors from.
import ts from "typescript";
import type { Draft } from "./draft";

// JSX and html`…` attributes whose value people see or hear: a screen reader reads the aria ones aloud.
export const COPY_ATTRIBUTES = new Set([
  "placeholder",
  "title",
  "alt",
  "label",
  "aria-label",
  "aria-description",
  "aria-roledescription",
  "aria-valuetext",
  "aria-placeholder",
]);

export type PlainLiteral = ts.StringLiteral | ts.NoSubstitutionTemplateLiteral;

/** String literals that end up as rendered text; template literals with interpolation are never copy. */
export function plainLiterals(expression: ts.Expression): PlainLiteral[] {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) {
    return expression.text.trim() === "" ? [] : [expression];
  }
  if (ts.isParenthesizedExpression(expression)) return plainLiterals(expression.expression);
  if (ts.isConditionalExpression(expression)) {
    return [...plainLiterals(expression.whenTrue), ...plainLiterals(expression.whenFalse)];
  }
  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    if (operator === ts.SyntaxKind.AmpersandAmpersandToken) return plainLiterals(expression.right);
    if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
      return [...plainLiterals(expression.left), ...plainLiterals(expression.right)];
    }
  }
  return [];
}

export function literalDraft(sf: ts.SourceFile, literal: PlainLiteral, icu = false): Pick<Draft, "text" | "start" | "end" | "syntax"> {
  const start = literal.getStart(sf);
  const quote = sf.text[start] ?? '"';
  return { text: literal.text, start, end: literal.end, syntax: icu ? { type: "js-string", quote, icu: true } : { type: "js-string", quote } };
}

/** Words for people, not an identifier, a path or a URL: a space, or a capital first letter. */
export function readsAsProse(text: string): boolean {
  const trimmed = text.trim();
  if (!/\p{L}/u.test(trimmed) || /^[/#.]|:\/\//.test(trimmed)) return false;
  return /\s/.test(trimmed) || /^\p{Lu}/u.test(trimmed);
}

/** "flex items-center gap-2", "btn btn-primary": utility classes, not words, even when rendered. */
export function looksLikeClassNames(text: string): boolean {
  const tokens = text.trim().split(/\s+/);
  return tokens.every((token) => /^[a-z0-9:/[\]().%!#_-]+$/.test(token)) && tokens.some((token) => /[-:[\]/]/.test(token));
}

// componentName and tagChain look at every ancestor of a string, and a large component has thousands of
// strings under the same few: each ancestor's answer is kept (a parsed tree never changes).
const componentNames = new WeakMap<ts.Node, string | null>();
const tagChains = new WeakMap<ts.Node, string>();

export function componentName(node: ts.Node): string | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  const cached = componentNames.get(parent);
  if (cached !== undefined) return cached ?? undefined;
  const name = declaredName(parent) ?? componentName(parent);
  componentNames.set(parent, name ?? null);
  return name;
}

/** The component (or method) name a node declares, if it is a function, class, method or variable. */
function declaredName(current: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(current) || ts.isClassDeclaration(current)) && current.name) return current.name.text;
  if (ts.isMethodDeclaration(current) && ts.isIdentifier(current.name)) {
    const owner = componentName(current);
    return owner === undefined ? current.name.text : `${owner}.${current.name.text}`;
  }
  if (ts.isFunctionExpression(current) && current.name) return current.name.text;
  if (ts.isVariableDeclaration(current) && ts.isIdentifier(current.name)) return current.name.text;
  return undefined;
}

export function withComponent(node: ts.Node): { component?: string } {
  const component = componentName(node);
  return component === undefined ? {} : { component };
}

/** The JSX tags around a node, outermost first: `main>section>h2`. */
export function tagChain(node: ts.Node): string {
  const parent = node.parent;
  if (!parent) return "";
  const cached = tagChains.get(parent);
  if (cached !== undefined) return cached;
  const outer = tagChain(parent);
  const tag = ts.isJsxElement(parent)
    ? parent.openingElement.tagName.getText()
    : ts.isJsxSelfClosingElement(parent)
      ? parent.tagName.getText()
      : ts.isJsxFragment(parent)
        ? "<>"
        : undefined;
  const chain = tag === undefined ? outer : outer === "" ? tag : `${outer}>${tag}`;
  tagChains.set(parent, chain);
  return chain;
}

/** Where in nested object and array literals a node sits: `nav>2>label`, stable when its text changes. */
export function propertyPath(node: ts.Node): string {
  const parts: string[] = [];
  let child: ts.Node = node;
  for (let current: ts.Node | undefined = node.parent; current; child = current, current = current.parent) {
    if (ts.isPropertyAssignment(current) && !ts.isComputedPropertyName(current.name)) parts.push(current.name.getText());
    else if (ts.isArrayLiteralExpression(current)) parts.push(String(current.elements.indexOf(child as ts.Expression)));
    else if (ts.isVariableDeclaration(current) && ts.isIdentifier(current.name)) {
      parts.push(current.name.text);
      break;
    } else if (ts.isFunctionLike(current)) break;
  }
  return parts.reverse().join(">");
}

/** A property's name as written, without quotes: `label`, `"aria-label"` → aria-label. */
export function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/** A JSX attribute's literal value: name="text" or name={"text"}. */
export function stringAttribute(attributes: ts.JsxAttributes, name: string): string | undefined {
  for (const attribute of attributes.properties) {
    if (!ts.isJsxAttribute(attribute) || attribute.name.getText() !== name) continue;
    const initializer = attribute.initializer;
    if (initializer && ts.isStringLiteral(initializer)) return initializer.text;
    if (initializer && ts.isJsxExpression(initializer) && initializer.expression && ts.isStringLiteral(initializer.expression))
      return initializer.expression.text;
  }
  return undefined;
}

/** An object literal's string property: `{ id: "settings.save" }`, quoted names and template strings included. */
export function stringProperty(object: ts.ObjectLiteralExpression, name: string): string | undefined {
  for (const property of object.properties) {
    if (!ts.isPropertyAssignment(property) || propertyName(property.name) !== name) continue;
    const initializer = property.initializer;
    if (ts.isStringLiteral(initializer) || ts.isNoSubstitutionTemplateLiteral(initializer)) return initializer.text;
  }
  return undefined;
}
