// Which language a locale file holds, read from its path: `locales/fr.json`, `messages/pt-BR.json`,
// `public/locales/de/common.json`, `src/i18n/en_GB/app.yml`. The Copy page shows the source language by
// default (the one copywriters write; translations follow through the team's translation process) and notes
// for each string the languages that also have it; the other languages are in the catalog too, marked with
// their language, for the people who edit them.
import type { CatalogEntry, SourceLocale } from "./catalog-entry";

const LANGUAGE_TAG = /^[a-z]{2}(?:[-_](?:[A-Z]{2}|[A-Z][a-z]{3}|\d{3}))?$/;
const names = new Intl.DisplayNames(["en"], { type: "language" });

/** A two-letter language tag (with an optional region or script) that ICU knows, normalised to "pt-BR". */
function languageOf(segment: string): string | undefined {
  if (!LANGUAGE_TAG.test(segment)) return undefined;
  const tag = segment.replace("_", "-");
  try {
    return names.of(tag) !== tag ? tag : undefined;
  } catch {
    return undefined;
  }
}

export type LocalePath = {
  locale: string;
  /** The path with its language replaced by {locale}: files of one template hold the same keys. */
  template: string;
};

/** The language of a locale file (a path the catalog reads as i18n), from its name or a folder below the root. */
export function localeOfPath(path: string): LocalePath | undefined {
  const segments = path.split("/");
  const name = segments.at(-1) ?? "";
  const dot = name.indexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const fromName = languageOf(stem);
  if (fromName) return { locale: fromName, template: [...segments.slice(0, -1), `{locale}${name.slice(stem.length)}`].join("/") };
  // The nearest folder that is a language: public/locales/de/common.json.
  for (let index = segments.length - 2; index >= 1; index--) {
    const locale = languageOf(segments[index] ?? "");
    if (locale) return { locale, template: [...segments.slice(0, index), "{locale}", ...segments.slice(index + 1)].join("/") };
  }
  return undefined;
}

/**
 * The language copywriters edit: English when the repository has it (en, then any en-*), otherwise the
 * language with the most strings. Undefined when no locale file names a language.
 */
export function sourceLocale(stringsPerLocale: ReadonlyMap<string, number>): string | undefined {
  const locales = [...stringsPerLocale.keys()];
  if (locales.includes("en")) return "en";
  const english = locales.filter((locale) => locale.startsWith("en-")).sort();
  if (english[0]) return english[0];
  return [...stringsPerLocale.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** sourceLocale with the rule that chose it, for a repository whose i18n config names none (lib/copy/i18n-config.ts). */
export function defaultSourceLocale(stringsPerLocale: ReadonlyMap<string, number>): SourceLocale | undefined {
  const locale = sourceLocale(stringsPerLocale);
  if (locale === undefined) return undefined;
  return { locale, reason: locale === "en" || locale.startsWith("en-") ? "English" : "most complete" };
}

export type Languages = {
  source: SourceLocale | undefined;
  /** Per template (LocalePath.template), the languages whose file has each key with a non-empty message. */
  keysByTemplate: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
};

/**
 * The language fields of a catalog entry from a locale file (`locale` undefined: not a locale file, no
 * fields). Every language's entries carry `locale`; the source language's also say how it was chosen and,
 * in `translations`, which other languages have the same key, so the page can list the source alone.
 */
export function languageFields(
  locale: LocalePath | undefined,
  key: string | undefined,
  languages: Languages,
): Pick<CatalogEntry, "locale" | "sourceLocaleReason" | "translations"> {
  if (!locale) return {};
  if (!languages.source || locale.locale !== languages.source.locale) return { locale: locale.locale };
  const others = key === undefined ? [] : (languages.keysByTemplate.get(locale.template)?.get(key) ?? []).filter((other) => other !== locale.locale);
  return { locale: locale.locale, sourceLocaleReason: languages.source.reason, ...(others.length ? { translations: [...others].sort() } : {}) };
}
