// String constants a component renders: `const heading = "Welcome back"` shown as <h1>{heading}</h1>, a
// feature list rendered with FEATURES.map(…), `copy.hero` from a module-level object. Followed from each
// place JSX renders a value (a child {…} or a copy attribute) back through member and element access,
// .map callbacks, destructuring and const aliases to a const declared in this module (or to a literal
// written on the way: a list mapped in place, a fallback inside a template); only the strings that path
// reaches are listed, so `{copy.hero}` lists the hero and not the rest of `copy`. Variables that can change
// (let, var) and parameters of other functions are not followed.
//
// One import away: a path that ends at an import (`{siteConfig.name}` with siteConfig from "@/config/site")
// is recorded as a use of that module's export (importedConstantUses), and every module offers its exported
// const strings as candidates (exportedConstantDrafts) that the catalog lists only when some module renders
// them (lib/copy/catalog.ts). Each candidate is found in its own file, so an edit to it is applied and checked
// like any other string of that file.
import ts from "typescript";
import type { Draft } from "./draft";
import { componentName, literalDraft, looksLikeClassNames, propertyName, propertyPath, readsAsProse, tagChain, type PlainLiteral } from "./script-nodes";

/** A step into a value: a property name or array index, or "*" for any of its elements or properties. */
type Step = string;
/** owner: the const declaration holding `value` (or, for a list written inline in JSX, the list itself). */
type LocalReach = { owner: ts.Node; value: ts.Expression; path: Step[] };
/**
 * A value read from another module: `path` starts with the export's name ("default" for a default import),
 * then the steps into it: siteConfig.name is ["siteConfig", "name"], logos.map((logo) => logo.alt) ["logos", "*", "alt"].
 */
export type ImportedUse = { specifier: string; path: Step[] };
type Reach = LocalReach | ImportedUse;

// Calls that hand on the strings of the value they are called on: part of a list (the same list), one of
// its items or all of them joined (its items), a label in capitals (the same text).
const SAME_LIST = new Set(["slice", "filter", "sort", "toSorted", "reverse", "toReversed", "concat"]);
const ITEMS = new Set(["at", "find", "findLast", "join"]);
const SAME_TEXT = new Set(["toUpperCase", "toLowerCase", "toLocaleUpperCase", "toLocaleLowerCase", "trim"]);
const MAP_CALLS = new Set(["map", "flatMap"]);
const MAX_DEPTH = 8;

/** Drafts for the const strings that `rendered` (the expressions of JSX children and copy attributes) reach. */
export function reachedConstantDrafts(sf: ts.SourceFile, rendered: readonly ts.Expression[]): Draft[] {
  const scopes = new ScopeIndex();
  const drafts: Draft[] = [];
  const seen = new Set<number>();
  for (const expression of rendered) {
    for (const found of reach(expression, scopes, 0, undefined)) {
      if (!("owner" in found)) continue;
      const { owner, value, path } = found;
      for (const literal of select(value, path)) {
        const start = literal.getStart(sf);
        if (seen.has(start) || !readsAsProse(literal.text) || looksLikeClassNames(literal.text)) continue;
        seen.add(start);
        const where = propertyPath(literal);
        const component = componentName(owner);
        const named = ts.isVariableDeclaration(owner);
        drafts.push({
          ...literalDraft(sf, literal),
          kind: "script-string",
          // A literal written inline (`${label ?? "Untitled"}`, a list mapped in place) is placed by its tags.
          anchor: named ? `${component ?? ""}|${where}|const` : `${component ?? ""}|${tagChain(literal)}|${where}|inline`,
          // The const's name and the path inside it: FEATURES.0, copy.hero.
          ...(named ? { key: where.replaceAll(">", ".") } : {}),
          ...(component === undefined ? {} : { component }),
        });
      }
    }
  }
  return drafts;
}

/** The exports of other modules that `rendered` reads (see ImportedUse), each path once. */
export function importedConstantUses(rendered: readonly ts.Expression[]): ImportedUse[] {
  const scopes = new ScopeIndex();
  const uses = new Map<string, ImportedUse>();
  for (const expression of rendered) {
    for (const found of reach(expression, scopes, 0, undefined)) {
      if ("specifier" in found && found.path.length > 0) uses.set(`${found.specifier}\u0000${found.path.join("\u0000")}`, found);
    }
  }
  return [...uses.values()];
}

/**
 * Candidates for other modules: every string that reads as prose in an exported const's literal value
 * (`export const siteConfig = { name: "Taxonomy" }`, `export default { … }`), with its path (`exported`).
 */
export function exportedConstantDrafts(sf: ts.SourceFile): Draft[] {
  const drafts: Draft[] = [];
  for (const { name, value } of exportedConstants(sf)) {
    for (const literal of select(value, [])) {
      if (!readsAsProse(literal.text) || looksLikeClassNames(literal.text)) continue;
      const inside = propertyPath(literal).split(">");
      // propertyPath names the const itself first; `export default {…}` has no name of its own.
      const path = ts.isVariableDeclaration(value.parent) ? [name, ...inside.slice(1)] : [name, ...inside.filter(Boolean)];
      drafts.push({ ...literalDraft(sf, literal), kind: "script-string", anchor: `|${path.join(">")}|export`, key: path.join("."), exported: path });
    }
  }
  return drafts;
}

/** `export const NAME = <literal>`, `export { NAME as OTHER }` of such a const, and `export default <literal>`. */
function exportedConstants(sf: ts.SourceFile): { name: string; value: ts.Expression }[] {
  const constants = new Map<string, ts.Expression>();
  const exported: { name: string; value: ts.Expression }[] = [];
  for (const statement of sf.statements) {
    if (ts.isVariableStatement(statement) && statement.declarationList.flags & ts.NodeFlags.Const) {
      const isExported = statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || !declaration.initializer || !isLiteralTree(unwrap(declaration.initializer))) continue;
        constants.set(declaration.name.text, declaration.initializer);
        if (isExported) exported.push({ name: declaration.name.text, value: declaration.initializer });
      }
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals && isLiteralTree(unwrap(statement.expression))) {
      exported.push({ name: "default", value: statement.expression });
    }
  }
  for (const statement of sf.statements) {
    if (!ts.isExportDeclaration(statement) || statement.moduleSpecifier || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    for (const specifier of statement.exportClause.elements) {
      const value = constants.get((specifier.propertyName ?? specifier.name).getText(sf));
      if (value) exported.push({ name: specifier.name.getText(sf), value });
    }
  }
  return exported;
}

/** Which literal values (and where inside them) an expression's value comes from; `owner`: the const being read. */
function reach(node: ts.Expression, scopes: ScopeIndex, depth: number, owner: ts.VariableDeclaration | undefined): Reach[] {
  if (depth > MAX_DEPTH) return [];
  const expression = unwrap(node);
  const next = (child: ts.Expression, extra: Step[] = []) =>
    reach(child, scopes, depth + 1, owner).map((found) => ({ ...found, path: [...found.path, ...extra] }));
  if (isLiteralTree(expression)) return [{ owner: owner ?? expression, value: expression, path: [] }];
  if (ts.isConditionalExpression(expression)) return [...next(expression.whenTrue), ...next(expression.whenFalse)];
  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    if (operator === ts.SyntaxKind.AmpersandAmpersandToken) return next(expression.right);
    if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.PlusToken) {
      return [...next(expression.left), ...next(expression.right)];
    }
    return [];
  }
  if (ts.isTemplateExpression(expression)) return expression.templateSpans.flatMap((span) => next(span.expression));
  if (ts.isPropertyAccessExpression(expression)) return next(expression.expression, [expression.name.text]);
  if (ts.isElementAccessExpression(expression)) {
    const argument = unwrap(expression.argumentExpression);
    const step = ts.isStringLiteralLike(argument) || ts.isNumericLiteral(argument) ? argument.text : "*";
    return next(expression.expression, [step]);
  }
  if (ts.isCallExpression(expression)) {
    const callee = unwrap(expression.expression);
    if (!ts.isPropertyAccessExpression(callee)) return [];
    const method = callee.name.text;
    if (ITEMS.has(method)) return next(callee.expression, ["*"]);
    if (SAME_LIST.has(method) || SAME_TEXT.has(method)) return next(callee.expression);
    // Object.values(copy): its property values.
    if (method === "values" && ts.isIdentifier(callee.expression) && callee.expression.text === "Object" && expression.arguments[0]) {
      return next(expression.arguments[0], ["*"]);
    }
    return [];
  }
  if (ts.isIdentifier(expression)) return reachBinding(scopes.resolve(expression), scopes, depth + 1);
  return [];
}

/** What a name's declaration holds: a const's value, or one element of the list a .map callback walks. */
function reachBinding(binding: ts.Identifier | undefined, scopes: ScopeIndex, depth: number): Reach[] {
  if (!binding) return [];
  // From a destructured name up to the variable or parameter it comes from: ({ title }) → ["title"].
  const inner: Step[] = [];
  let holder: ts.Node = binding.parent;
  while (ts.isBindingElement(holder)) {
    const pattern: ts.Node = holder.parent;
    if (ts.isObjectBindingPattern(pattern)) {
      const name = holder.propertyName ? propertyName(holder.propertyName) : ts.isIdentifier(holder.name) ? holder.name.text : undefined;
      if (name === undefined || holder.dotDotDotToken) return [];
      inner.unshift(name);
    } else if (ts.isArrayBindingPattern(pattern)) {
      if (holder.dotDotDotToken) return [];
      inner.unshift(String(pattern.elements.indexOf(holder)));
    } else return [];
    holder = pattern.parent;
  }
  const withInner = (found: Reach[]) => found.map((item) => ({ ...item, path: [...item.path, ...inner] }));
  const imported = importOf(binding);
  if (imported) return [imported];
  if (ts.isVariableDeclaration(holder)) {
    if (!(ts.getCombinedNodeFlags(holder) & ts.NodeFlags.Const) || !holder.initializer) return [];
    return withInner(reach(holder.initializer, scopes, depth + 1, holder));
  }
  if (ts.isParameter(holder)) {
    const source = mappedList(holder);
    return source ? withInner(reach(source, scopes, depth + 1, undefined).map((item) => ({ ...item, path: [...item.path, "*"] }))) : [];
  }
  return [];
}

/** An imported name as a use of its module: `import { a as b }` reads "a", a default import "default", `* as m` the module. */
function importOf(binding: ts.Identifier): ImportedUse | undefined {
  const parent = binding.parent;
  // ImportSpecifier → NamedImports → ImportClause → ImportDeclaration; NamespaceImport → ImportClause → …
  const statement = ts.isImportSpecifier(parent)
    ? parent.parent.parent.parent
    : ts.isNamespaceImport(parent)
      ? parent.parent.parent
      : ts.isImportClause(parent)
        ? parent.parent
        : undefined;
  if (!statement || !ts.isStringLiteral(statement.moduleSpecifier) || statement.importClause?.isTypeOnly) return undefined;
  const specifier = statement.moduleSpecifier.text;
  if (ts.isImportSpecifier(parent)) return parent.isTypeOnly ? undefined : { specifier, path: [(parent.propertyName ?? parent.name).text] };
  if (ts.isImportClause(parent)) return { specifier, path: ["default"] };
  return { specifier, path: [] };
}

/** For the first parameter of a `list.map((item) => …)` callback: `list`. */
function mappedList(parameter: ts.ParameterDeclaration): ts.Expression | undefined {
  const callback = parameter.parent;
  if (!(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) || callback.parameters[0] !== parameter) return undefined;
  const call = callback.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== callback) return undefined;
  const callee = unwrap(call.expression);
  return ts.isPropertyAccessExpression(callee) && MAP_CALLS.has(callee.name.text) ? callee.expression : undefined;
}

/** Literals nested in arrays and objects, whatever else they hold (icons, numbers, functions are skipped). */
function isLiteralTree(value: ts.Expression): boolean {
  return ts.isStringLiteralLike(value) || ts.isArrayLiteralExpression(value) || ts.isObjectLiteralExpression(value);
}

/** The string literals at `path` inside a literal value. */
function select(node: ts.Expression, path: readonly Step[]): PlainLiteral[] {
  const value = unwrap(node);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return path.length === 0 && value.text.trim() !== "" ? [value] : [];
  const [step, ...rest] = path;
  if (ts.isArrayLiteralExpression(value)) {
    if (step === undefined || step === "*") return value.elements.flatMap((element) => select(element, rest));
    const element = /^\d+$/.test(step) ? value.elements[Number(step)] : undefined;
    return element ? select(element, rest) : [];
  }
  if (ts.isObjectLiteralExpression(value)) {
    return value.properties.flatMap((property) => {
      if (!ts.isPropertyAssignment(property)) return [];
      if (step === undefined) return select(property.initializer, []);
      if (step !== "*" && propertyName(property.name) !== step) return [];
      return select(property.initializer, rest);
    });
  }
  return [];
}

function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** Resolves a name to the identifier that declares it, the nearest enclosing scope first (lexical shadowing). */
class ScopeIndex {
  private readonly names = new Map<ts.Node, Map<string, ts.Identifier>>();

  resolve(reference: ts.Identifier): ts.Identifier | undefined {
    for (let scope: ts.Node | undefined = reference.parent; scope; scope = scope.parent) {
      const found = this.declaredIn(scope).get(reference.text);
      if (found) return found;
    }
    return undefined;
  }

  private declaredIn(scope: ts.Node): Map<string, ts.Identifier> {
    let names = this.names.get(scope);
    if (names) return names;
    names = new Map();
    const add = (name: ts.BindingName | undefined) => {
      if (!name) return;
      if (ts.isIdentifier(name)) {
        if (!names?.has(name.text)) names?.set(name.text, name);
        return;
      }
      for (const element of name.elements) if (!ts.isOmittedExpression(element)) add(element.name);
    };
    if (ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) || ts.isCaseClause(scope) || ts.isDefaultClause(scope)) {
      for (const statement of scope.statements) {
        if (ts.isVariableStatement(statement)) for (const declaration of statement.declarationList.declarations) add(declaration.name);
        else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name) {
          add(statement.name);
        } else if (ts.isImportDeclaration(statement) && statement.importClause) {
          const clause = statement.importClause;
          add(clause.name);
          const bindings = clause.namedBindings;
          if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name);
          else if (bindings) for (const specifier of bindings.elements) add(specifier.name);
        }
      }
    } else if (ts.isFunctionLike(scope)) {
      for (const parameter of scope.parameters) add(parameter.name);
      if ((ts.isFunctionExpression(scope) || ts.isClassExpression(scope)) && scope.name) add(scope.name);
    } else if ((ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) && scope.initializer) {
      if (ts.isVariableDeclarationList(scope.initializer)) for (const declaration of scope.initializer.declarations) add(declaration.name);
    } else if (ts.isCatchClause(scope) && scope.variableDeclaration) {
      add(scope.variableDeclaration.name);
    }
    this.names.set(scope, names);
    return names;
  }
}
