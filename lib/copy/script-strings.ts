// Strings in code that pages show although they are not JSX: page metadata, object-literal labels, toasts,
// Lingui macros, FormatJS (react-intl) message descriptors, i18next defaults and the document's title.
import ts from "typescript";
import type { Draft } from "./draft";
import {
  componentName,
  literalDraft,
  looksLikeClassNames,
  plainLiterals,
  propertyName,
  propertyPath,
  readsAsProse,
  stringProperty,
  withComponent,
  type PlainLiteral,
} from "./script-nodes";

// Object properties whose string values are shown to people: nav items, feature lists, sort options, FAQ
// entries, toast options, Lingui's t({ message }). Values that read like identifiers, paths or URLs are not.
export const COPY_PROPERTIES = new Set([
  "label",
  "title",
  "description",
  "text",
  "heading",
  "subheading",
  "subtitle",
  "tagline",
  "caption",
  "placeholder",
  "tooltip",
  "summary",
  "message",
  "cta",
  "question",
  "answer",
  "helperText",
  "emptyText",
  "buttonText",
  // labelProps={{ children: "Username" }}: props objects spread onto a component render their children.
  "children",
]);
// In Next.js page metadata, these are shown too (title.default, title.template, openGraph.siteName).
const METADATA_PROPERTIES = new Set(["title", "description", "default", "absolute", "template", "siteName"]);
// toast("Saved"), toast.success(…), sonner, react-hot-toast, notistack, antd's message/notification.
const TOAST_CALLEE =
  /^(toast(\.(success|error|info|warning|message|loading|custom))?|notify|showToast|enqueueSnackbar|message\.(success|error|info|warning|loading|open)|notification\.(success|error|info|warning|open))$/;
// Lingui macros: msg`Saved`, t`Saved`, defineMessage`Saved`.
const MESSAGE_TAGS = new Set(["t", "msg", "defineMessage"]);
// FormatJS calls whose first argument is a message descriptor, or (defineMessages) an object of them.
const FORMATJS_CALLEES = new Set(["defineMessages", "defineMessage", "formatMessage"]);
// i18next's default text: t("key", { defaultValue }), and per plural form t("key", { defaultValue_one }).
const DEFAULT_VALUE = /^defaultValue(?:_(zero|one|two|few|many|other))?$/;
const DOCUMENT_TITLE = /^(?:window\.|globalThis\.)?document\.title$/;
// logger.error({ message }), ctx.logger.info(…), console.warn(…): read by developers, never shown.
const LOG_CALLEE = /(?:^|\.)(?:logger|log|console)(?:\.(?:trace|debug|info|warn|warning|error|fatal|log))?$/;
// OpenAPI descriptions of an API (hono-openapi's describeRoute, zod-openapi's createRoute, tRPC's
// meta({ openapi })): read in API documentation by developers, not on the product's pages.
const API_DOC_CALLEE = /(?:^|\.)(?:describeRoute|createRoute|openapi)$/;

export function scriptStringDrafts(sf: ts.SourceFile, node: ts.Node): Draft[] {
  if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && MESSAGE_TAGS.has(node.tag.text)) {
    // Lingui compiles these to ICU messages: braces and tags in them must stay valid.
    return plainLiterals(node.template).map((literal) => scriptDraft(sf, node, literal, node.tag.getText(sf), true));
  }
  if (ts.isCallExpression(node) && TOAST_CALLEE.test(node.expression.getText(sf))) {
    const [first] = node.arguments;
    return first ? plainLiterals(first).map((literal) => scriptDraft(sf, node, literal, "toast")) : [];
  }
  if (ts.isCallExpression(node) && calleeName(node) === "t") return i18nextDefaultDrafts(sf, node);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && DOCUMENT_TITLE.test(node.left.getText(sf))) {
    return plainLiterals(node.right).map((literal) => scriptDraft(sf, node, literal, "document.title"));
  }
  if (ts.isPropertyAssignment(node) && !ts.isComputedPropertyName(node.name)) {
    const name = node.name.getText(sf).replace(/^["']|["']$/g, "");
    // FormatJS's defaultMessage is the text itself, an ICU message, whatever it looks like.
    if (name === "defaultMessage") {
      const id = stringProperty(node.parent, "id");
      return plainLiterals(node.initializer).map((literal) => scriptDraft(sf, node, literal, id ?? name, true, id !== undefined));
    }
    // A descriptor's description is a note for translators, never shown.
    if (name === "description" && isMessageDescriptor(node.parent)) return [];
    const metadata = inPageMetadata(node);
    if (!COPY_PROPERTIES.has(name) && !(metadata && METADATA_PROPERTIES.has(name))) return [];
    if (readByDevelopers(sf, node)) return [];
    return plainLiterals(node.initializer)
      .filter((literal) => metadata || (readsAsProse(literal.text) && !looksLikeClassNames(literal.text)))
      .map((literal) => scriptDraft(sf, node, literal, name));
  }
  return [];
}

function scriptDraft(sf: ts.SourceFile, node: ts.Node, literal: PlainLiteral, key: string, icu = false, codeDefault = false): Draft {
  return {
    ...literalDraft(sf, literal, icu),
    kind: "script-string",
    anchor: `${componentName(node) ?? ""}|${propertyPath(node)}|${key}`,
    key,
    ...withComponent(node),
    ...(codeDefault ? { codeDefault: true as const } : {}),
  };
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/**
 * A FormatJS message descriptor: an object with a defaultMessage, or one that defineMessage(s) or
 * formatMessage takes (descriptors may carry only an id and a description). Not any object with an id:
 * `{ id: "pro", description: "For teams" }` in a plan list is shown.
 */
function isMessageDescriptor(object: ts.ObjectLiteralExpression): boolean {
  if (object.properties.some((property) => property.name && propertyName(property.name) === "defaultMessage")) return true;
  let argument: ts.Node = object;
  if (ts.isPropertyAssignment(object.parent) && ts.isObjectLiteralExpression(object.parent.parent)) argument = object.parent.parent;
  const call = argument.parent;
  if (!call || !ts.isCallExpression(call) || call.arguments[0] !== argument) return false;
  const name = calleeName(call);
  return name !== undefined && FORMATJS_CALLEES.has(name);
}

/**
 * i18next's t("key", "Default text"), t("key", { defaultValue }) and i18n.t(…): the default is what the
 * page shows until (or unless) a locale file has the key. Only with a literal key, which names the string.
 */
function i18nextDefaultDrafts(sf: ts.SourceFile, call: ts.CallExpression): Draft[] {
  const [first, second] = call.arguments;
  if (!first || !second || !(ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) return [];
  const key = first.text;
  if (ts.isObjectLiteralExpression(second)) {
    return second.properties.flatMap((property) => {
      if (!ts.isPropertyAssignment(property)) return [];
      const form = DEFAULT_VALUE.exec(propertyName(property.name) ?? "");
      if (!form) return [];
      const formKey = form[1] ? `${key}_${form[1]}` : key;
      return plainLiterals(property.initializer).map((literal) => scriptDraft(sf, property, literal, formKey, false, true));
    });
  }
  // vue-i18n's t("key", "fr") passes a locale there, not a default.
  return plainLiterals(second)
    .filter((literal) => /\p{L}/u.test(literal.text) && !/^[a-z]{2,3}(?:[-_][A-Za-z\d]{2,8})*$/.test(literal.text.trim()))
    .map((literal) => scriptDraft(sf, call, literal, key, false, true));
}

/**
 * A property of an object (at any depth) given to a logging call or an API description: inside `openapi: {…}`,
 * an OpenAPI response (`{ description, content: { "application/json": … } }`), or passed to describeRoute().
 */
function readByDevelopers(sf: ts.SourceFile, node: ts.Node): boolean {
  let current: ts.Node = node.parent;
  while (ts.isObjectLiteralExpression(current) || ts.isPropertyAssignment(current) || ts.isArrayLiteralExpression(current)) {
    if (ts.isPropertyAssignment(current) && propertyName(current.name) === "openapi") return true;
    if (ts.isObjectLiteralExpression(current) && isOpenApiResponse(current)) return true;
    current = current.parent;
  }
  return ts.isCallExpression(current) && (LOG_CALLEE.test(current.expression.getText(sf)) || API_DOC_CALLEE.test(current.expression.getText(sf)));
}

function isOpenApiResponse(object: ts.ObjectLiteralExpression): boolean {
  return object.properties.some(
    (property) =>
      ts.isPropertyAssignment(property) &&
      propertyName(property.name) === "content" &&
      ts.isObjectLiteralExpression(property.initializer) &&
      property.initializer.properties.some((media) => media.name !== undefined && /^application\//.test(propertyName(media.name) ?? "")),
  );
}

/** Inside `export const metadata = {…}` or what `generateMetadata` returns (Next.js app router). */
function inPageMetadata(node: ts.Node): boolean {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if (ts.isVariableDeclaration(current) && ts.isIdentifier(current.name) && current.name.text === "metadata") return true;
    if ((ts.isFunctionDeclaration(current) || ts.isFunctionExpression(current)) && current.name?.text === "generateMetadata") return true;
    if (ts.isVariableDeclaration(current) && ts.isIdentifier(current.name) && current.name.text === "generateMetadata") return true;
  }
  return false;
}
