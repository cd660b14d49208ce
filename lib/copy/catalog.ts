// The copy catalog: every user-facing string of a repository with the pages it appears on. Pages come
// from file-system routing (lib/routes/route-for-file.ts) and route tables (lib/routes/route-tables.ts)
// followed through static imports: a component imported by src/pages/pricing.js appears on /pricing.
// i18n strings get the pages of the files that call t("their.key") with a literal key. Anything we
// cannot place keeps an empty page list and is shown by component and file instead. This is a guide
// for people, never used to decide scope.
import path from "node:path/posix";
import ts from "typescript";
import { isLayoutFile, layoutScope, pagePatternForFile } from "@/lib/routes/route-for-file";
import { routeFacts, routesFromTables, type RouteFacts } from "@/lib/routes/route-tables";
import { EVERY_PAGE, type CatalogEntry, type CatalogLink } from "./catalog-entry";
import type { CatalogFileCache } from "./catalog-file-cache";
import { classifyCopyFile, extractFile, renderedExpressions, sourceFileOf, type CopyFile, type LocatedCopyString } from "./extract-strings";
import { type ImportAliases, isImportConfigFile, readImportAliases } from "./import-aliases";
import { decideSourceLocale } from "./i18n-config";
import { type LinguiMessage, linguiMessages } from "./lingui-messages";
import { languageFields, localeOfPath, type LocalePath } from "./locale-files";
import { type ImportedUse, importedConstantUses } from "./reached-constants";

export { EVERY_PAGE, type CatalogEntry } from "./catalog-entry";

/** Bump when extraction changes what a catalog holds, so catalogs cached per commit are rebuilt. */
export const CATALOG_VERSION = 9;

const SCRIPT_EXTENSIONS = [".tsx", ".ts", ".jsx", ".js", ".mjs"];
// What an import can reach: a script, or a Vue or Svelte component imported by its full name
// (`import About from "./About.vue"`, a Vue Router table's `component`). A component's own imports are not
// read, so the pages stop there.
const IMPORTABLE = new Set(["script", "vue", "svelte"]);
// t("key"), i18n.t("key"), $t("key"), translate("key"), intl.formatMessage({ id: "key" }), <Trans i18nKey="key">.
const TRANSLATE_CALLEES = new Set(["t", "$t", "translate", "formatMessage", "rich", "markup"]);
// next-intl's translators are scoped: useTranslations("Pricing") then t("title") reads Pricing.title.
const NAMESPACED_TRANSLATORS = new Set(["useTranslations", "getTranslations"]);

/**
 * keys: passed to t() and the like; keyLike: other dotted literals ("settings.save"), keys when a locale has them;
 * routing: the module's route tables and the names it imports and exports (lib/routes/route-tables.ts);
 * renders: the exported constants of other files that its JSX renders, by file and path.
 */
type ScriptFacts = { imports: string[]; keys: string[]; keyLike: string[]; routing: RouteFacts; renders: { file: string; path: string[] }[] };
/**
 * What a script says on its own: import specifiers and content paths as written, resolved per repository,
 * and its Lingui messages (their keys are among `keys`).
 */
type RawScriptFacts = Omit<ScriptFacts, "imports" | "renders"> & {
  specifiers: string[];
  contentRefs: string[];
  lingui: LinguiMessage[];
  importedUses: ImportedUse[];
};
/** One file's share of a catalog, which depends on its path and content only (so a cache can keep it). */
export type FileFacts = { strings: LocatedCopyString[]; script?: RawScriptFacts };

/**
 * `files`: the repository's copy files, and its tsconfig/jsconfig files for import aliases (import-aliases.ts).
 * `cache`: each file's strings and facts from earlier builds (catalog-file-cache.ts), so only changed files are parsed.
 */
export function buildCatalog(files: CopyFile[], cache?: CatalogFileCache<FileFacts>): CatalogEntry[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const aliases = readImportAliases(files.filter((file) => isImportConfigFile(file.path)));
  const perFile = files.map((file) => ({ file, ...(cache ? cache.get(file.path, file.content, () => factsOfFile(file)) : factsOfFile(file)) }));
  cache?.keepOnlyUsed();
  const facts = new Map<string, ScriptFacts>();
  for (const { file, script } of perFile) if (script) facts.set(file.path, resolveFacts(file.path, script, byPath, aliases));

  const extracted = perFile.map(({ file, strings }) => ({ file, strings }));
  // Keys reached indirectly, t(labels.save) with labels = { save: "settings.save" }: a dotted literal that
  // is a key of a locale file counts as a use of that key.
  const knownKeys = new Set(extracted.flatMap(({ strings }) => strings.flatMap((copy) => (copy.kind === "i18n" && copy.key ? [copy.key] : []))));

  // Route tables (createBrowserRouter, <Route>, app/routes.ts) place the components they route to.
  const routing = new Map([...facts].map(([file, { routing }]) => [file, routing]));
  const tables = routesFromTables(routing, (from, specifier) => resolveImport(from, specifier, byPath, aliases));
  // A file's own pages: a route table's (it wins over the file name: src/pages/Home.tsx routed at "/"), else its path's.
  const ownPages = (file: string): string[] => {
    const tabled = tables.get(file);
    if (tabled) return [...tabled];
    const route = pagePatternForFile(file);
    return route ? [route] : [];
  };
  // A layout appears on the pages under its folder, a root layout on every page (each layout's scan once).
  const layoutPagesOf = new Map<string, string[]>();
  const layoutPages = (layout: string): string[] => {
    const known = layoutPagesOf.get(layout);
    if (known) return known;
    const scope = layoutScope(layout);
    const under = scope === undefined ? [] : [...new Set([...byPath.keys()].filter((file) => file.startsWith(scope)).flatMap(ownPages))];
    const pages = under.length ? under : [EVERY_PAGE];
    layoutPagesOf.set(layout, pages);
    return pages;
  };
  const pagesOfFile = pagesByFile(facts, tables, ownPages, layoutPages);
  const pagesOfKey = new Map<string, Set<string>>();
  for (const [file, { keys, keyLike }] of facts) {
    for (const key of [...keys, ...keyLike.filter((literal) => knownKeys.has(literal))]) {
      const pages = pagesOfKey.get(key) ?? new Set<string>();
      for (const page of pagesOfFile.get(file) ?? []) pages.add(page);
      pagesOfKey.set(key, pages);
    }
  }

  // Exported constants are listed where another module renders them: { file → the paths read from it }.
  const rendersOf = new Map<string, string[][]>();
  for (const { renders } of facts.values()) for (const { file, path } of renders) rendersOf.set(file, [...(rendersOf.get(file) ?? []), path]);
  const isRendered = (file: string, exported: string[]) => rendersOf.get(file)?.some((path) => selects(path, exported)) ?? false;

  const languages = languagesOf(extracted, files);
  const messages = relateMessages(extracted, perFile, languages);
  return extracted.flatMap(({ file, strings }) => {
    // Every language is listed, each entry with its language (lib/copy/locale-files.ts languageFields):
    // the Copy page shows the source language and, on request, the others.
    const locale = languages.byPath.get(file.path);
    return strings.flatMap((copy): CatalogEntry[] => {
      // An empty message is a translation nobody wrote yet, not text on a page.
      if (copy.kind === "i18n" && copy.text.trim() === "") return [];
      if (messages.isShownElsewhere(copy)) return [];
      const { exported, ...listed } = copy;
      if (exported && !isRendered(copy.path, exported)) return [];
      const pages =
        copy.kind === "i18n"
          ? pagesOfI18nKey(copy.key ?? "", pagesOfKey)
          : [...(pagesOfFile.get(copy.path) ?? (isLayoutFile(copy.path) ? layoutPages(copy.path) : ownPages(copy.path)))];
      const linked = locale?.locale === languages.source?.locale ? messages.linkedTo(copy) : undefined;
      const translations = messages.msgidTranslations(copy);
      return [
        {
          ...listed,
          pages: pages.sort(),
          ...languageFields(locale, copy.key, languages),
          ...(linked ? { linked } : {}),
          ...(translations.length ? { translations } : {}),
        },
      ];
    });
  });
}

type Languages = ReturnType<typeof languagesOf>;

/**
 * How the strings of code relate to the messages of the source language's catalogs:
 * - isShownElsewhere: a default in code (t("save", "Save"), a FormatJS defaultMessage) that the catalog's
 *   message overrides, which never renders, or a piece of a Lingui message whose source .po entry is listed
 *   instead (lib/copy/lingui-messages.ts);
 * - linkedTo: for a catalog entry, the defaults it overrides, kept saying the same when it is edited
 *   (`formatjs extract` would otherwise write the old default back over an edited catalog);
 * - msgidTranslations: for a Lingui message listed from the code, the languages whose .po translates its
 *   msgid, which editing the code changes.
 */
function relateMessages(
  extracted: { file: CopyFile; strings: LocatedCopyString[] }[],
  perFile: { file: CopyFile; script?: RawScriptFacts }[],
  languages: Languages,
) {
  const sourceKeys = new Set(
    extracted.flatMap(({ file, strings }) =>
      languages.byPath.get(file.path)?.locale === languages.source?.locale
        ? strings.flatMap((copy) => (copy.kind === "i18n" && copy.key !== undefined && copy.text.trim() !== "" ? [copy.key] : []))
        : [],
    ),
  );
  // The source key that overrides a code default's key (i18next namespaces, FormatJS's extracted { defaultMessage }).
  const overriding = (key: string) => [key, key.slice(key.indexOf(":") + 1), `${key}.defaultMessage`].find((candidate) => sourceKeys.has(candidate));
  const linkedDefaults = new Map<string, CatalogLink[]>();
  for (const { strings } of extracted) {
    for (const copy of strings) {
      // A piece of <Trans i18nKey> children is a fragment of the message, not a whole default to keep in step.
      const key = copy.codeDefault && copy.key !== undefined && copy.kind !== "jsx-text" ? overriding(copy.key) : undefined;
      if (key !== undefined) linkedDefaults.set(key, [...(linkedDefaults.get(key) ?? []), { id: copy.id, path: copy.path, text: copy.text }]);
    }
  }
  const linguiByPath = new Map(perFile.flatMap(({ file, script }) => (script?.lingui.length ? [[file.path, script.lingui] as const] : [])));
  const messageOf = (copy: LocatedCopyString) =>
    copy.kind === "i18n"
      ? undefined
      : linguiByPath.get(copy.path)?.find((message) => message.covers.includes(copy.kind) && copy.start >= message.start && copy.start < message.end);
  const poTemplates = [...languages.keysByTemplate].filter(([template]) => template.endsWith(".po"));
  return {
    isShownElsewhere: (copy: LocatedCopyString): boolean =>
      (copy.codeDefault === true && copy.key !== undefined && overriding(copy.key) !== undefined) || sourceKeys.has(messageOf(copy)?.key ?? "\u0000"),
    linkedTo: (copy: LocatedCopyString): CatalogLink[] | undefined => (copy.key === undefined ? undefined : linkedDefaults.get(copy.key)),
    msgidTranslations: (copy: LocatedCopyString): string[] => {
      const message = messageOf(copy);
      if (!message) return [];
      const languagesOfKey = poTemplates.flatMap(([, keys]) => keys.get(message.key) ?? []);
      return [...new Set(languagesOfKey.filter((language) => language !== languages.source?.locale))].sort();
    },
  };
}

/** Whether a rendered path (["logos", "*", "alt"]) reads the exported string at `exported` (["logos", "2", "alt"]) or an object holding it. */
function selects(path: string[], exported: string[]): boolean {
  return path.length <= exported.length && path.every((step, index) => step === "*" || step === exported[index]);
}

/** The language of each locale file, the source language, and for each template which languages have each key. */
function languagesOf(extracted: { file: CopyFile; strings: { kind: string; key?: string | undefined; text: string }[] }[], files: CopyFile[]) {
  const byPath = new Map<string, LocalePath>();
  const stringsPerLocale = new Map<string, number>();
  const keysByTemplate = new Map<string, Map<string, string[]>>();
  for (const { file, strings } of extracted) {
    if (!strings.some((copy) => copy.kind === "i18n")) continue;
    const locale = localeOfPath(file.path);
    if (!locale) continue;
    byPath.set(file.path, locale);
    stringsPerLocale.set(locale.locale, (stringsPerLocale.get(locale.locale) ?? 0) + strings.length);
    const keys = keysByTemplate.get(locale.template) ?? new Map<string, string[]>();
    for (const copy of strings) {
      if (copy.key === undefined || copy.text.trim() === "") continue;
      keys.set(copy.key, [...(keys.get(copy.key) ?? []), locale.locale]);
    }
    keysByTemplate.set(locale.template, keys);
  }
  return { byPath, source: decideSourceLocale(files, stringsPerLocale), keysByTemplate };
}

/** `pricing.projects.one` is used as t("pricing.projects", { count }); locale files may nest under the language. */
function pagesOfI18nKey(key: string, pagesOfKey: Map<string, Set<string>>): string[] {
  // A key with spaces is a message (a gettext msgid, "Saved. Undo?"), not a path of nested keys.
  if (/\s/.test(key)) return [...(pagesOfKey.get(key) ?? [])];
  const parts = key.split(".");
  const pages = new Set<string>();
  for (let start = 0; start < Math.min(parts.length, 2); start++) {
    for (let end = parts.length; end > start; end--) {
      for (const page of pagesOfKey.get(parts.slice(start, end).join(".")) ?? []) pages.add(page);
    }
  }
  return [...pages];
}

function factsOfFile(file: CopyFile): FileFacts {
  const strings = extractFile(file) ?? [];
  return classifyCopyFile(file.path) === "script" ? { strings, script: scriptFacts(file) } : { strings };
}

function resolveFacts(from: string, raw: RawScriptFacts, byPath: Map<string, CopyFile>, aliases: ImportAliases): ScriptFacts {
  const { specifiers, contentRefs, lingui: _, importedUses, ...rest } = raw;
  const imports = [
    ...specifiers.flatMap((specifier) => resolveImport(from, specifier, byPath, aliases) ?? []),
    ...contentRefs.flatMap((reference) => referencedContent(reference, byPath) ?? []),
  ];
  const renders = importedUses.flatMap(({ specifier, path }) => {
    const file = resolveImport(from, specifier, byPath, aliases);
    return file ? [{ file, path }] : [];
  });
  return { ...rest, imports, renders };
}

function scriptFacts(file: CopyFile): RawScriptFacts {
  const sf = sourceFileOf(file);
  const specifiers: string[] = [];
  const contentRefs: string[] = [];
  const keys: string[] = [];
  const keyLike: string[] = [];
  const namespaces: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      // `import type` and `export type` render nothing.
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly : node.isTypeOnly;
      if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node)) {
      const key = translationKey(node);
      if (key) keys.push(key);
      const namespace = translatorNamespace(node);
      if (namespace) namespaces.push(namespace);
      // import("./page") in route tables
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        specifiers.push(node.arguments[0].text);
      }
    } else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && /\.mdx?$/.test(node.text)) {
      // fetch("/content/about.md"): the Markdown renders wherever this file does.
      contentRefs.push(node.text);
    } else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && /^[\w-]+(\.[\w-]+)+$/.test(node.text)) {
      keyLike.push(node.text);
    } else if (ts.isJsxAttribute(node) && node.name.getText(sf) === "i18nKey" && node.initializer && ts.isStringLiteral(node.initializer)) {
      keys.push(node.initializer.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // A file with scoped translators uses its keys under their namespaces (one file rarely mixes scopes).
  const scoped = namespaces.length ? keys.flatMap((key) => namespaces.map((namespace) => `${namespace}.${key}`)) : keys;
  // A Lingui message is its catalog's key: the .po entry appears where the code using it does.
  const lingui = linguiMessages(sf);
  return {
    specifiers,
    contentRefs,
    keys: [...scoped, ...lingui.map((message) => message.key)],
    keyLike,
    routing: routeFacts(sf),
    lingui,
    importedUses: importedConstantUses(renderedExpressions(sf)),
  };
}

/** "Pricing" in useTranslations("Pricing"), getTranslations("Pricing") or getTranslations({ namespace: "Pricing" }). */
function translatorNamespace(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (!ts.isIdentifier(callee) || !NAMESPACED_TRANSLATORS.has(callee.text)) return undefined;
  const first = call.arguments[0];
  if (first && ts.isStringLiteral(first)) return first.text;
  if (first && ts.isObjectLiteralExpression(first)) {
    for (const property of first.properties) {
      if (ts.isPropertyAssignment(property) && property.name.getText() === "namespace" && ts.isStringLiteral(property.initializer))
        return property.initializer.text;
    }
  }
  return undefined;
}

function translationKey(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (!name || !TRANSLATE_CALLEES.has(name)) return undefined;
  const first = call.arguments[0];
  if (!first) return undefined;
  if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) return first.text;
  if (ts.isObjectLiteralExpression(first)) {
    for (const property of first.properties) {
      if (ts.isPropertyAssignment(property) && property.name.getText() === "id" && ts.isStringLiteral(property.initializer)) return property.initializer.text;
    }
  }
  return undefined;
}

function resolveImport(from: string, specifier: string, byPath: Map<string, CopyFile>, aliases: ImportAliases): string | undefined {
  const relative = specifier.startsWith("./") || specifier.startsWith("../");
  const bases = relative ? [path.join(path.dirname(from), specifier)] : aliases.candidates(from, specifier);
  // Without a config that says otherwise, "@/" and "~/" mean the root or src/ (the usual scaffolds).
  if (!relative && (specifier.startsWith("@/") || specifier.startsWith("~/"))) bases.push(specifier.slice(2), `src/${specifier.slice(2)}`);
  for (const base of bases) {
    const withoutJs = base.replace(/\.(m?js|jsx)$/, "");
    const candidates = [base, ...SCRIPT_EXTENSIONS.map((ext) => withoutJs + ext), ...SCRIPT_EXTENSIONS.map((ext) => `${base}/index${ext}`)];
    for (const candidate of candidates) if (byPath.has(candidate) && IMPORTABLE.has(classifyCopyFile(candidate) ?? "")) return candidate;
  }
  return undefined;
}

function referencedContent(reference: string, byPath: Map<string, CopyFile>): string | undefined {
  const wanted = reference.replace(/^\.?\//, "");
  if (byPath.has(wanted)) return wanted;
  for (const candidate of byPath.keys()) if (candidate.endsWith(`/${wanted}`)) return candidate;
  return undefined;
}

/**
 * Each file's pages: its own route, the routes of every page that imports it (transitively), or the pages
 * under a layout. A page that imports another page's module (for a helper or a type) does not render it:
 * imports are not followed into files that have pages of their own, nor through `import type`.
 */
function pagesByFile(
  facts: Map<string, ScriptFacts>,
  routedByTables: Map<string, Set<string>>,
  ownPages: (file: string) => string[],
  layoutPages: (file: string) => string[],
): Map<string, Set<string>> {
  const pages = new Map<string, Set<string>>();
  const isPage = (file: string) => ownPages(file).length > 0;
  const add = (file: string, page: string, seen: Set<string>): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const set = pages.get(file) ?? new Set<string>();
    set.add(page);
    pages.set(file, set);
    for (const imported of facts.get(file)?.imports ?? []) if (!isPage(imported)) add(imported, page, seen);
  };
  for (const file of facts.keys()) {
    const own = ownPages(file);
    const routes = own.length > 0 || routedByTables.has(file) ? own : isLayoutFile(file) ? layoutPages(file) : [];
    for (const page of routes) add(file, page, new Set());
  }
  // Components a route table names that are not scripts (Vue Router's `component: () => import("./About.vue")`).
  for (const [file, routes] of routedByTables) if (!facts.has(file)) for (const page of routes) add(file, page, new Set());
  return pages;
}
