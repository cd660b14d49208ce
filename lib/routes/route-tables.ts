// Routes written as code rather than as files: React Router route objects (createBrowserRouter, useRoutes,
// exported arrays; the same shape as Vue Router's `{ path, component }`), JSX <Route> trees (v6 and v5) and
// React Router v7's app/routes.ts config (route(), index(), layout(), prefix(), and react-router-auto-routes'
// autoRoutes(), which routes the files of a folder: auto-routes.ts). Most Vite single-page apps route this
// way, so without it their pages/ components have no page (or a wrong one from the file name). Only the
// syntax of one file is read here; the catalog resolves identifiers and specifiers to files.
import path from "node:path/posix";
import ts from "typescript";
import { autoRoutesPages, type RouteFolder } from "./auto-routes";
import { WORKSPACE_PREFIX } from "./route-for-file";

/** What a route renders: a component named in this file (resolved through its imports), or a module by specifier. */
export type RouteTarget = { identifier: string } | { specifier: string };
export type TableRoute = { route: string; target: RouteTarget };

/** One route of a table before paths are joined. `path: null`: a path we cannot read (an imported constant). */
type RouteNode = { path?: string | null; index?: boolean; targets: RouteTarget[]; children: RouteNode[] };

/** Properties and <Route> attributes that name what a route renders. */
const COMPONENT_KEYS = new Set(["element", "Component", "component", "lazy", "render"]);
const ROUTE_CONFIG_MODULES = new Set(["@react-router/dev/routes", "@remix-run/route-config"]);
const AUTO_ROUTES_MODULE = "react-router-auto-routes";
type ConfigHelper = "route" | "index" | "layout" | "prefix";

/**
 * Every route the tables in this file name, with what each renders. A route's component also gets every
 * route nested below it (a layout renders around its children through <Outlet>). Dynamic segments (`:id`,
 * `*`) are kept as written.
 */
export function routeTables(sf: ts.SourceFile): TableRoute[] {
  // Most files have no table: skip the walk.
  if (!/\bpath\b|\/dev\/routes|\/route-config/.test(sf.text)) return [];
  const reader = new TableReader(sf);
  return reader.read();
}

/** The folders whose files are routes by react-router-auto-routes' convention, from an app/routes.ts that calls autoRoutes(). */
export function routeFolders(sf: ts.SourceFile): RouteFolder[] {
  if (!sf.text.includes(AUTO_ROUTES_MODULE)) return [];
  return new TableReader(sf).autoRoutesFolders();
}

/**
 * Whether a file can be an app's React Router route config (app/routes.ts and the modules beside it).
 * React Router reads the config from the app folder at the project root, and the apps of a monorepo are
 * its workspace packages: the config is in app/ (app/routes.ts), in the app folder of a workspace package
 * (apps/web/app/routes.ts), or, in a repository that keeps its app in a folder, one level down
 * (web/app/routes.ts). Deeper inside a workspace package it belongs to a development tool that package
 * runs — documenso's packages/email/preview/app/routes.ts is an email-template previewer, whose `/`,
 * `/:slug` and `/api/render` would otherwise become pages of every email template — so it places no pages.
 */
export function isAppRouteConfig(file: string): boolean {
  const inPackage = file.replace(WORKSPACE_PREFIX, "");
  const folders = inPackage.split("/").length - 1;
  return folders <= (inPackage === file ? 2 : 1);
}

class TableReader {
  private readonly constants = new Map<string, ts.Expression>();
  private readonly lazyModules = new Map<string, string>();
  private readonly helpers = new Map<string, ConfigHelper>();
  /** Local names of react-router-auto-routes' autoRoutes. */
  private readonly autoRoutes = new Set<string>();
  /** Arrays reached as another route's `children: someRoutes`: not tables of their own. */
  private readonly nested = new Set<ts.Node>();

  constructor(private readonly sf: ts.SourceFile) {
    const routeConfig = isAppRouteConfig(sf.fileName);
    for (const statement of sf.statements) {
      if (routeConfig && ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier))
        this.configImport(statement.moduleSpecifier.text, statement.importClause);
      const list = ts.isVariableStatement(statement) ? statement.declarationList : undefined;
      if (!list || !(list.flags & ts.NodeFlags.Const)) continue;
      for (const declaration of list.declarations) {
        if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
        const value = unwrap(declaration.initializer);
        this.constants.set(declaration.name.text, value);
        // const Pricing = lazy(() => import("./pages/pricing")): <Pricing /> renders that module.
        const specifier = ts.isCallExpression(value) ? dynamicImports(value)[0] : undefined;
        if (specifier) this.lazyModules.set(declaration.name.text, specifier);
      }
    }
  }

  /** Names of React Router's config helpers and of autoRoutes (the package's default export as well as a named one). */
  private configImport(module: string, clause: ts.ImportClause | undefined): void {
    if (module === AUTO_ROUTES_MODULE && clause?.name) this.autoRoutes.add(clause.name.text);
    const bindings = clause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) return;
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (module === AUTO_ROUTES_MODULE && (imported === "autoRoutes" || imported === "default")) this.autoRoutes.add(element.name.text);
      if (ROUTE_CONFIG_MODULES.has(module) && (imported === "route" || imported === "index" || imported === "layout" || imported === "prefix"))
        this.helpers.set(element.name.text, imported);
    }
  }

  read(): TableRoute[] {
    const tables: { node: ts.Node; routes: RouteNode[] }[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isArrayLiteralExpression(node) && node.elements.some((element) => this.isRouteObject(element))) {
        tables.push({ node, routes: this.objectRoutes(node) });
      } else if ((ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node)) && isRouteTag(node)) {
        tables.push({ node, routes: [this.jsxRoute(node)] });
      } else if (ts.isCallExpression(node) && this.helperOf(node)) {
        tables.push({ node, routes: this.configRoutes([node]) });
      } else {
        ts.forEachChild(node, visit);
      }
    };
    visit(this.sf);
    const out = new Map<string, TableRoute>();
    for (const table of tables) {
      if (this.nested.has(table.node)) continue;
      for (const found of flatten(table.routes, "")) out.set(`${found.route}\0${JSON.stringify(found.target)}`, found);
    }
    return [...out.values()];
  }

  private isRouteObject(expression: ts.Expression): boolean {
    const object = unwrap(expression);
    if (!ts.isObjectLiteralExpression(object)) return false;
    const names = new Set(object.properties.map(propertyName));
    const placed = names.has("path") || names.has("index") || names.has("children");
    return placed && (names.has("children") || [...COMPONENT_KEYS].some((key) => names.has(key)));
  }

  private objectRoutes(array: ts.ArrayLiteralExpression): RouteNode[] {
    return array.elements.flatMap((element) => (this.isRouteObject(element) ? [this.objectRoute(unwrap(element) as ts.ObjectLiteralExpression)] : []));
  }

  private objectRoute(object: ts.ObjectLiteralExpression): RouteNode {
    const node: RouteNode = { targets: [], children: [] };
    for (const property of object.properties) {
      const name = propertyName(property);
      if (!ts.isPropertyAssignment(property)) {
        // { path, element } built from variables: the path is unknown.
        if (name === "path") node.path = null;
        continue;
      }
      const value = property.initializer;
      if (name === "path") node.path = this.stringValue(value) ?? null;
      else if (name === "index") node.index = value.kind === ts.SyntaxKind.TrueKeyword;
      else if (COMPONENT_KEYS.has(name)) node.targets.push(...this.targetsOf(value));
      else if (name === "children") {
        let children = unwrap(value);
        // children: settingsRoutes, a table declared on its own in this file.
        if (ts.isIdentifier(children)) {
          const declared = this.constants.get(children.text);
          if (declared && ts.isArrayLiteralExpression(declared)) {
            this.nested.add(declared);
            children = declared;
          }
        }
        if (ts.isArrayLiteralExpression(children)) node.children = this.objectRoutes(children);
      }
    }
    return node;
  }

  private jsxRoute(element: ts.JsxElement | ts.JsxSelfClosingElement): RouteNode {
    const opening = ts.isJsxElement(element) ? element.openingElement : element;
    const node: RouteNode = { targets: [], children: [] };
    const tag = opening.tagName;
    // <PrivateRoute path="/x" component={X} />: the wrapper renders on the route too.
    if (ts.isIdentifier(tag) && tag.text !== "Route") node.targets.push(this.identifierTarget(tag.text));
    for (const attribute of opening.attributes.properties) {
      if (!ts.isJsxAttribute(attribute)) continue;
      const name = attribute.name.getText(this.sf);
      const init = attribute.initializer;
      const value = init && ts.isJsxExpression(init) ? init.expression : init;
      if (name === "path") node.path = value ? (this.stringValue(value) ?? null) : null;
      else if (name === "index") node.index = !value || value.kind === ts.SyntaxKind.TrueKeyword;
      else if (COMPONENT_KEYS.has(name) && value) node.targets.push(...this.targetsOf(value));
    }
    // Children: nested <Route>s, or (v5) the elements the route renders.
    if (ts.isJsxElement(element)) this.jsxChildren(element.children, node);
    return node;
  }

  private jsxChildren(children: ts.NodeArray<ts.JsxChild>, node: RouteNode): void {
    for (const child of children) {
      if ((ts.isJsxElement(child) || ts.isJsxSelfClosingElement(child)) && isRouteTag(child)) node.children.push(this.jsxRoute(child));
      else if (ts.isJsxElement(child) || ts.isJsxSelfClosingElement(child)) {
        const tag = (ts.isJsxElement(child) ? child.openingElement : child).tagName;
        if (ts.isIdentifier(tag) && isComponentName(tag.text)) node.targets.push(this.identifierTarget(tag.text));
        if (ts.isJsxElement(child)) this.jsxChildren(child.children, node);
      } else if (ts.isJsxExpression(child) && child.expression) node.targets.push(...this.targetsOf(child.expression));
    }
  }

  private helperOf(call: ts.CallExpression): ConfigHelper | undefined {
    return ts.isIdentifier(call.expression) ? this.helpers.get(call.expression.text) : undefined;
  }

  /** React Router v7 app/routes.ts: module paths are relative to the app folder, where routes.ts lives. */
  private configRoutes(elements: readonly ts.Expression[]): RouteNode[] {
    return elements.flatMap((element): RouteNode[] => {
      const call = unwrap(ts.isSpreadElement(element) ? element.expression : element);
      const helper = ts.isCallExpression(call) ? this.helperOf(call) : undefined;
      if (!helper || !ts.isCallExpression(call)) return [];
      const [first, second] = call.arguments;
      const last = call.arguments.at(-1);
      const children = last && ts.isArrayLiteralExpression(unwrap(last)) ? this.configRoutes((unwrap(last) as ts.ArrayLiteralExpression).elements) : [];
      const module = (argument: ts.Expression | undefined): RouteTarget[] => {
        const file = argument && this.stringValue(argument);
        return file ? [{ specifier: file.startsWith(".") ? file : `./${file}` }] : [];
      };
      const path = first && (this.stringValue(first) ?? null);
      if (helper === "index") return [{ index: true, targets: module(first), children: [] }];
      if (helper === "layout") return [{ targets: module(first), children }];
      if (helper === "prefix") return [{ path, targets: [], children }];
      return [{ path, targets: module(second), children }];
    });
  }

  /**
   * The folders of each autoRoutes(options) call. `routesDir` is a folder relative to the app folder (where
   * routes.ts is; "routes" by default) or an object mounting folders, relative to the project root, at URL
   * paths ({ "/": "app/routes", "/docs": "docs/routes" }). `ignoredRouteFiles` are globs within the folder.
   */
  autoRoutesFolders(): RouteFolder[] {
    const appDir = path.dirname(this.sf.fileName);
    const folders: RouteFolder[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && this.autoRoutes.has(node.expression.text)) {
        const [argument] = node.arguments;
        const options = argument ? this.objectValue(argument, 0) : undefined;
        const option = (name: string) => {
          const property = options?.properties.find((candidate) => propertyName(candidate) === name);
          return property && ts.isPropertyAssignment(property) ? property.initializer : undefined;
        };
        const ignoredOption = option("ignoredRouteFiles");
        const ignoredList = ignoredOption && this.arrayValue(ignoredOption);
        const ignored = (ignoredList?.elements ?? []).flatMap((element) => this.stringValue(element) ?? []);
        const routesDir = option("routesDir");
        const dir = routesDir ? this.stringValue(routesDir) : "routes";
        const mounts = routesDir && !dir ? this.objectValue(routesDir, 0) : undefined;
        if (dir) folders.push({ dir: path.join(appDir, dir), mount: "/", ignored });
        for (const mount of mounts?.properties ?? []) {
          const folder = ts.isPropertyAssignment(mount) ? this.stringValue(mount.initializer) : undefined;
          if (folder) folders.push({ dir: path.join(path.dirname(appDir), folder), mount: propertyName(mount), ignored });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sf);
    return folders;
  }

  /**
   * What an element, component or lazy value renders: JSX tags (a wrapper such as <RequireAuth> renders on
   * the route too; attributes like Suspense's fallback are skipped), a component identifier (also inside a
   * call, memo(Pricing)), and modules loaded with import().
   */
  private targetsOf(expression: ts.Expression): RouteTarget[] {
    const value = unwrap(expression);
    if (ts.isIdentifier(value)) return [this.identifierTarget(value.text)];
    const targets: RouteTarget[] = dynamicImports(value).map((specifier) => ({ specifier }));
    const visit = (node: ts.Node): void => {
      if (ts.isJsxAttributes(node) || ts.isPropertyAccessExpression(node)) return;
      if (ts.isIdentifier(node) && isComponentName(node.text)) targets.push(this.identifierTarget(node.text));
      ts.forEachChild(node, visit);
    };
    visit(value);
    return targets;
  }

  private identifierTarget(name: string): RouteTarget {
    const specifier = this.lazyModules.get(name);
    return specifier ? { specifier } : { identifier: name };
  }

  /** A literal, or a constant of this file: path: ROUTES.pricing with const ROUTES = { pricing: "/pricing" }. */
  private stringValue(expression: ts.Expression, depth = 0): string | undefined {
    const value = unwrap(expression);
    if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return value.text;
    if (depth > 4) return undefined;
    if (ts.isIdentifier(value)) {
      const declared = this.constants.get(value.text);
      return declared ? this.stringValue(declared, depth + 1) : undefined;
    }
    if (ts.isPropertyAccessExpression(value)) {
      const owner = this.objectValue(value.expression, depth + 1);
      const property = owner?.properties.find((candidate) => propertyName(candidate) === value.name.text);
      return property && ts.isPropertyAssignment(property) ? this.stringValue(property.initializer, depth + 1) : undefined;
    }
    return undefined;
  }

  /** An array literal, or a constant of this file holding one. */
  private arrayValue(expression: ts.Expression): ts.ArrayLiteralExpression | undefined {
    const value = unwrap(expression);
    const declared = ts.isIdentifier(value) ? this.constants.get(value.text) : value;
    return declared && ts.isArrayLiteralExpression(declared) ? declared : undefined;
  }

  private objectValue(expression: ts.Expression, depth: number): ts.ObjectLiteralExpression | undefined {
    const value = unwrap(expression);
    if (ts.isObjectLiteralExpression(value)) return value;
    if (depth > 4) return undefined;
    if (ts.isIdentifier(value)) {
      const declared = this.constants.get(value.text);
      return declared ? this.objectValue(declared, depth + 1) : undefined;
    }
    if (ts.isPropertyAccessExpression(value)) {
      const owner = this.objectValue(value.expression, depth + 1);
      const property = owner?.properties.find((candidate) => propertyName(candidate) === value.name.text);
      return property && ts.isPropertyAssignment(property) ? this.objectValue(property.initializer, depth + 1) : undefined;
    }
    return undefined;
  }
}

/** Joins paths down the tree and gives each route's targets its own route and every route below it. */
function flatten(nodes: RouteNode[], parent: string): TableRoute[] {
  const out: TableRoute[] = [];
  const walk = (list: RouteNode[], base: string): string[] => {
    const all: string[] = [];
    for (const node of list) {
      // A path we cannot read leaves the route and everything relative to it unknown.
      if (node.path === null) continue;
      const own = node.index ? normalize(base || "/") : node.path !== undefined ? joinPath(base, node.path) : undefined;
      const below = walk(node.children, own ?? base);
      const routes = [...new Set([...(own ? [own] : []), ...below])];
      for (const target of node.targets) for (const route of routes) out.push({ route, target });
      all.push(...routes);
    }
    return all;
  };
  walk(nodes, parent);
  return out;
}

/** Child paths are relative to the parent's unless absolute (React Router v6 allows both; v5's are absolute). */
function joinPath(parent: string, path: string): string {
  return normalize(path.startsWith("/") ? path : `${parent}/${path}`);
}

function normalize(route: string): string {
  const joined = `/${route}`.replace(/\/{2,}/g, "/");
  return joined.length > 1 ? joined.replace(/\/$/, "") : joined;
}

function isRouteTag(element: ts.JsxElement | ts.JsxSelfClosingElement): boolean {
  const opening = ts.isJsxElement(element) ? element.openingElement : element;
  const tag = opening.tagName;
  if (ts.isPropertyAccessExpression(tag)) return tag.name.text === "Route";
  if (!ts.isIdentifier(tag)) return false;
  if (tag.text === "Route") return true;
  // PrivateRoute, ProtectedRoute: route wrappers of react-router v5 apps, when given a path.
  return (
    /^[A-Z]\w*Route$/.test(tag.text) &&
    opening.attributes.properties.some((attribute) => ts.isJsxAttribute(attribute) && ts.isIdentifier(attribute.name) && attribute.name.text === "path")
  );
}

function isComponentName(name: string): boolean {
  return /^[A-Z]/.test(name);
}

function dynamicImports(node: ts.Node): string[] {
  const found: string[] = [];
  const visit = (child: ts.Node): void => {
    if (ts.isCallExpression(child) && child.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = child.arguments;
      if (argument && (ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument))) found.push(argument.text);
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

function propertyName(property: ts.ObjectLiteralElementLike): string {
  const name = property.name;
  if (!name) return "";
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : "";
}

/** Through parentheses, `as`, `satisfies` and `!`. */
function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current)) {
    current = current.expression;
  }
  return current;
}

/** What a module imports and exports by name, so a routed identifier can be followed to the file that defines it. */
export type ModuleLinks = {
  /** `name`: the export read ("default", a named export, or "*" for a namespace). */
  imports: { local: string; specifier: string; name: string }[];
  /** Names exported from the module's own declarations. */
  declared: string[];
  /** export { a as b } from "x" is { name: "b", specifier: "x", imported: "a" }; export * from "x" has name "*". */
  reexports: { name: string; specifier: string; imported: string }[];
};

export function moduleLinks(sf: ts.SourceFile): ModuleLinks {
  const links: ModuleLinks = { imports: [], declared: [], reexports: [] };
  const localExports: { name: string; local: string }[] = [];
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const specifier = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (clause?.name) links.imports.push({ local: clause.name.text, specifier, name: "default" });
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) links.imports.push({ local: bindings.name.text, specifier, name: "*" });
      else if (bindings) {
        for (const element of bindings.elements) links.imports.push({ local: element.name.text, specifier, name: (element.propertyName ?? element.name).text });
      }
    } else if (ts.isExportDeclaration(statement)) {
      const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      const clause = statement.exportClause;
      if (!clause && specifier) links.reexports.push({ name: "*", specifier, imported: "*" });
      else if (clause && ts.isNamespaceExport(clause) && specifier) links.reexports.push({ name: clause.name.text, specifier, imported: "*" });
      else if (clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (specifier) links.reexports.push({ name: element.name.text, specifier, imported });
          else localExports.push({ name: element.name.text, local: imported });
        }
      }
    } else if (ts.isExportAssignment(statement)) {
      // export default Pricing, where Pricing was imported: the default is that module's.
      if (ts.isIdentifier(statement.expression)) localExports.push({ name: "default", local: statement.expression.text });
      else links.declared.push("default");
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) {
      const isDefault = ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword);
      if (isDefault) links.declared.push("default");
      else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) links.declared.push(declaration.name.text);
      } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) links.declared.push(statement.name.text);
    }
  }
  // import { Pricing } from "./Pricing"; export { Pricing }: a re-export in two statements.
  for (const { name, local } of localExports) {
    const imported = links.imports.find((entry) => entry.local === local);
    if (imported) links.reexports.push({ name, specifier: imported.specifier, imported: imported.name });
    else links.declared.push(name);
  }
  return links;
}

/** `folders`: the folders of file-system routes this file's autoRoutes() configures. */
export type RouteFacts = { routes: TableRoute[]; links: ModuleLinks; folders: RouteFolder[] };

export function routeFacts(sf: ts.SourceFile): RouteFacts {
  return { routes: routeTables(sf), links: moduleLinks(sf), folders: routeFolders(sf) };
}

/**
 * The routes each file gets from the route tables of all files: an identifier is followed through the
 * table file's imports and through re-exports (a pages/index.ts barrel), so the route goes to the module
 * that defines the component rather than to every page the barrel exports. `resolve` maps an import
 * specifier to a repository file. Components defined in the table's own file are not placed: giving the
 * table file a route would pass it to every page it imports. The files of an autoRoutes() folder get their
 * routes from auto-routes.ts; those that are not pages get an empty set (the route config has decided).
 */
export function routesFromTables(facts: Map<string, RouteFacts>, resolve: (from: string, specifier: string) => string | undefined): Map<string, Set<string>> {
  const routed = new Map<string, Set<string>>();
  const definingFile = (file: string, name: string, depth: number): string => {
    const links = facts.get(file)?.links;
    if (!links || name === "*" || depth > 8) return file;
    const reexport = links.reexports.find((entry) => entry.name === name);
    if (reexport) {
      const next = resolve(file, reexport.specifier);
      return next ? definingFile(next, reexport.imported, depth + 1) : file;
    }
    if (links.declared.includes(name) || name === "default") return file;
    for (const star of links.reexports.filter((entry) => entry.name === "*")) {
      const next = resolve(file, star.specifier);
      if (next && exportsName(next, name, depth + 1)) return definingFile(next, name, depth + 1);
    }
    return file;
  };
  const exportsName = (file: string, name: string, depth: number): boolean => {
    const links = facts.get(file)?.links;
    if (!links || depth > 8) return false;
    if (links.declared.includes(name) || links.reexports.some((entry) => entry.name === name)) return true;
    return links.reexports.some((entry) => {
      if (entry.name !== "*") return false;
      const next = resolve(file, entry.specifier);
      return next !== undefined && exportsName(next, name, depth + 1);
    });
  };
  for (const [file, { routes, links }] of facts) {
    for (const { route, target } of routes) {
      let routedFile: string | undefined;
      if ("specifier" in target) routedFile = resolve(file, target.specifier);
      else {
        const imported = links.imports.find((entry) => entry.local === target.identifier);
        const resolved = imported && resolve(file, imported.specifier);
        routedFile = resolved && imported ? definingFile(resolved, imported.name, 0) : undefined;
      }
      if (!routedFile || routedFile === file) continue;
      const set = routed.get(routedFile) ?? new Set<string>();
      set.add(route);
      routed.set(routedFile, set);
    }
  }
  // A route module renders a page only with a default export (without one it is a resource route).
  const rendersPage = (file: string) => {
    const links = facts.get(file)?.links;
    return links !== undefined && (links.declared.includes("default") || links.reexports.some((entry) => entry.name === "default"));
  };
  for (const { folders } of facts.values()) {
    for (const folder of folders) {
      for (const [file, routes] of autoRoutesPages(folder, facts.keys(), rendersPage)) {
        routed.set(file, new Set([...(routed.get(file) ?? []), ...routes]));
      }
    }
  }
  return routed;
}
