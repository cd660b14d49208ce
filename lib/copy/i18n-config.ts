// The source language as the app's own i18n setup names it. The language an app defaults or falls back to
// is the one its messages are written in first, and the config says so outright, where counting strings
// only guesses (a team may keep a bigger German file than its English one). Read, never run: only string
// literals count, since a value computed at run time says nothing certain. And only a language that has
// locale files: a config naming "en" while the English lives in the code (Lingui, gettext) says nothing
// about which locale file copywriters write, so the count decides then (lib/copy/locale-files.ts).
import ts from "typescript";
import type { SourceLocale } from "./catalog-entry";
import { classifyCopyFile, sourceFileOf, type CopyFile } from "./extract-strings";
import { defaultSourceLocale } from "./locale-files";

// Config files by name. Those that are not copy files (next.config.cjs, .linguirc) are read for a catalog
// only because isI18nConfigFile says so (worker/copy/copy-files.ts).
const CONFIG_NAME = /^(next|next-i18next|nuxt|astro|lingui|i18n|i18next)\.config\.(js|jsx|ts|tsx|mjs|cjs|mts|cts)$/;
const LINGUIRC = /^\.linguirc(\.json)?$/;

/** A file that may name the source language and that a catalog reads even when it is not a copy file. */
export function isI18nConfigFile(path: string): boolean {
  const segments = path.split("/");
  if (segments.includes("node_modules")) return false;
  const name = segments.at(-1) ?? "";
  return CONFIG_NAME.test(name) || LINGUIRC.test(name);
}

/**
 * The most telling files first: the i18n library's own config (next-intl's i18n/routing.ts, Lingui's), then
 * the framework's (next.config.js `i18n`), then the app's i18n setup module (i18n.ts, i18n/request.ts,
 * i18n/settings.ts), then any other script that sets the library up (`<IntlProvider defaultLocale>` in
 * App.tsx, `createI18n` in main.ts, next-intl's middleware). Undefined: not a place a config is kept.
 */
function configRank(file: CopyFile): number | undefined {
  const name = file.path.split("/").at(-1) ?? "";
  if (/(^|\/)i18n\/routing\.[cm]?[jt]sx?$/.test(file.path)) return 0;
  if (/^lingui\.config\./.test(name) || LINGUIRC.test(name)) return 1;
  if (CONFIG_NAME.test(name) && !/^(i18n|i18next)\./.test(name)) return 2;
  if (
    CONFIG_NAME.test(name) ||
    /^(i18n|i18next)([.-]config)?\.[cm]?[jt]sx?$/.test(name) ||
    /(^|\/)i18n\/(request|config|settings|index)\.[cm]?[jt]sx?$/.test(file.path)
  )
    return 3;
  // A plain script is read only when it mentions a setting this module knows (cheap, and most do not).
  if (classifyCopyFile(file.path) === "script" && MENTIONS_A_SETTING.test(file.content)) return 4;
  return undefined;
}

// Names whose literal is the source language, whatever the library: defaultLocale (next-intl, Next.js,
// react-intl, Nuxt, Astro), sourceLocale (Lingui), fallbackLng (i18next), fallbackLocale (vue-i18n), and
// the constants apps keep them in (DEFAULT_LOCALE, defaultLanguage). Compared without case, _ or -.
const SOURCE_NAMES = new Set([
  "defaultlocale",
  "defaultlanguage",
  "defaultlang",
  "sourcelocale",
  "sourcelanguage",
  "sourcelang",
  "baselocale",
  "fallbacklng",
  "fallbacklocale",
  "fallbacklanguage",
]);
// The language the app starts in (i18next's lng, vue-i18n's locale): the source only when nothing in the
// same file names one above, and only in the call that sets the library up (`locale` means anything elsewhere).
const START_NAMES = new Set(["lng", "locale"]);
const SETUP_CALLS = new Set(["init", "createInstance", "createI18n", "VueI18n"]);
const MENTIONS_A_SETTING = /default_?(locale|lang)|source_?(locale|lang)|base_?locale|fallback_?(lng|locale|lang)|createI18n|VueI18n|\.init\s*\(/i;

const normalized = (name: string) => name.toLowerCase().replace(/[-_]/g, "");

/**
 * The source language the app's i18n config names, when one of its languages has locale files:
 * `locales` are the languages of the repository's locale files. Files are tried most telling first, then
 * shallowest, then by path; within a file, source settings before start languages, in file order.
 */
export function configuredSourceLocale(files: readonly CopyFile[], locales: ReadonlySet<string>): SourceLocale | undefined {
  if (locales.size === 0) return undefined;
  const ranked = files
    .flatMap((file) => {
      const rank = configRank(file);
      return rank === undefined ? [] : [{ file, rank }];
    })
    .sort((a, b) => a.rank - b.rank || a.file.path.split("/").length - b.file.path.split("/").length || a.file.path.localeCompare(b.file.path));
  for (const { file } of ranked) {
    for (const named of namedLocales(file)) {
      const locale = matchLocale(named, locales);
      if (locale) return { locale, reason: `from ${file.path}` };
    }
  }
  return undefined;
}

/** The source language: the i18n config's when it names one with locale files, else English or the most complete. */
export function decideSourceLocale(files: readonly CopyFile[], stringsPerLocale: ReadonlyMap<string, number>): SourceLocale | undefined {
  return configuredSourceLocale(files, new Set(stringsPerLocale.keys())) ?? defaultSourceLocale(stringsPerLocale);
}

/** The language literals a config file names, source settings first. */
export function namedLocales(file: CopyFile): string[] {
  if (LINGUIRC.test(file.path.split("/").at(-1) ?? "")) return namedInJson(file.content);
  const source: string[] = [];
  const start: string[] = [];
  const sf =
    classifyCopyFile(file.path) === "script"
      ? sourceFileOf(file)
      : ts.createSourceFile(file.path, file.content, ts.ScriptTarget.Latest, true, scriptKind(file.path));
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node)) {
      const name = propertyName(node.name);
      if (name !== undefined && SOURCE_NAMES.has(normalized(name))) source.push(...literals(node.initializer));
      else if (name !== undefined && START_NAMES.has(name) && isSetupArgument(node.parent)) start.push(...literals(node.initializer));
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && SOURCE_NAMES.has(normalized(node.name.text))) {
      source.push(...literals(node.initializer));
    } else if (ts.isJsxAttribute(node) && ts.isIdentifier(node.name) && SOURCE_NAMES.has(normalized(node.name.text)) && node.initializer) {
      // <IntlProvider defaultLocale="en"> or defaultLocale={"en"}
      const value = ts.isJsxExpression(node.initializer) ? node.initializer.expression : node.initializer;
      if (value) source.push(...literals(value));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return [...source, ...start];
}

function scriptKind(path: string): ts.ScriptKind {
  if (/\.tsx$/.test(path)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(path)) return ts.ScriptKind.TS;
  return ts.ScriptKind.JSX;
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/** An object literal passed to i18next's init/createInstance, vue-i18n's createI18n or `new VueI18n`. */
function isSetupArgument(object: ts.Node): boolean {
  const call = object.parent;
  if (!call || !(ts.isCallExpression(call) || ts.isNewExpression(call)) || !call.arguments?.includes(object as ts.Expression)) return false;
  const callee = call.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name !== undefined && SETUP_CALLS.has(name);
}

/**
 * The string literals of a setting's value, in order: "en", "en" as const, ["en", "de"] (i18next's
 * fallback list, the first tried first) and { default: ["en"] } (its per-language fallbacks).
 */
function literals(node: ts.Expression): string[] {
  let value = node;
  while (ts.isParenthesizedExpression(value) || ts.isAsExpression(value) || ts.isSatisfiesExpression(value) || ts.isTypeAssertionExpression(value))
    value = value.expression;
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return [value.text];
  if (ts.isArrayLiteralExpression(value)) return value.elements.flatMap((element) => (ts.isSpreadElement(element) ? [] : literals(element)));
  if (ts.isObjectLiteralExpression(value)) {
    for (const property of value.properties) {
      if (ts.isPropertyAssignment(property) && propertyName(property.name) === "default") return literals(property.initializer);
    }
  }
  return [];
}

/** .linguirc: `sourceLocale` (and the other source names) at any depth of the JSON. */
function namedInJson(content: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return [];
  }
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (SOURCE_NAMES.has(normalized(key)) && typeof item === "string") found.push(item);
        else visit(item);
      }
    }
  };
  visit(parsed);
  return found;
}

/**
 * The repository's language a config's tag means: the same tag ("pt_BR" is "pt-BR", any case), else one
 * of the same language ("en-US" in the config, locales/en.json in the repository), the plain one first.
 */
function matchLocale(named: string, locales: ReadonlySet<string>): string | undefined {
  const tag = named.trim().replace(/_/g, "-").toLowerCase();
  if (!tag) return undefined;
  const all = [...locales];
  const exact = all.find((locale) => locale.toLowerCase() === tag);
  if (exact) return exact;
  const language = tag.split("-")[0];
  return all
    .filter((locale) => locale.toLowerCase().split("-")[0] === language)
    .sort((a, b) => Number(a.includes("-")) - Number(b.includes("-")) || a.localeCompare(b))[0];
}
