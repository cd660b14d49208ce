import { describe, expect, it } from "vitest";
import type { CopyFile } from "./extract-strings";
import { configuredSourceLocale, decideSourceLocale, isI18nConfigFile, namedLocales } from "./i18n-config";

const file = (path: string, content: string): CopyFile => ({ path, content });
const EN_DE_FR = new Set(["en", "de", "fr"]);

describe("the source language an app's i18n config names", () => {
  it("reads next-intl's routing: defineRouting({ locales, defaultLocale })", () => {
    const routing = file(
      "src/i18n/routing.ts",
      'import { defineRouting } from "next-intl/routing";\nexport const routing = defineRouting({ locales: ["en", "de", "fr"], defaultLocale: "de" });\n',
    );
    expect(configuredSourceLocale([routing], EN_DE_FR)).toEqual({ locale: "de", reason: "from src/i18n/routing.ts" });
    // request.ts usually reads routing.defaultLocale (not a literal); a literal there counts.
    const request = file("src/i18n/request.ts", 'export default getRequestConfig(async () => ({ locale: "fr", defaultLocale: "fr" }));');
    expect(configuredSourceLocale([request], EN_DE_FR)).toEqual({ locale: "fr", reason: "from src/i18n/request.ts" });
  });

  it("reads the Next.js pages router's i18n in next.config.js, .mjs and .ts", () => {
    const js = file("next.config.js", 'module.exports = { reactStrictMode: true, i18n: { locales: ["en", "fr"], defaultLocale: "fr" } };');
    expect(configuredSourceLocale([js], EN_DE_FR)).toEqual({ locale: "fr", reason: "from next.config.js" });
    const mjs = file("apps/web/next.config.mjs", "const config = { i18n: { locales: ['de', 'en'], defaultLocale: 'de' } };\nexport default config;");
    expect(configuredSourceLocale([mjs], EN_DE_FR)?.locale).toBe("de");
    const ts = file(
      "next.config.ts",
      'import type { NextConfig } from "next";\nconst config: NextConfig = { i18n: { locales: ["en"], defaultLocale: "en" as const } };\nexport default config;',
    );
    expect(configuredSourceLocale([ts], EN_DE_FR)?.locale).toBe("en");
  });

  it("reads i18next's fallbackLng before lng, as a string, a list or per-language fallbacks", () => {
    const init = file("src/i18n.ts", 'i18n.use(initReactI18next).init({ resources, lng: "de", fallbackLng: "en", interpolation: { escapeValue: false } });');
    expect(namedLocales(init)).toEqual(["en", "de"]);
    expect(configuredSourceLocale([init], EN_DE_FR)).toEqual({ locale: "en", reason: "from src/i18n.ts" });
    expect(namedLocales(file("i18n.js", 'i18next.init({ fallbackLng: ["fr", "en"] });'))).toEqual(["fr", "en"]);
    expect(namedLocales(file("i18n.js", 'i18next.init({ fallbackLng: { "de-CH": ["de"], default: ["fr"] } });'))).toEqual(["fr"]);
    // lng alone: the language the app starts in, taken when nothing else names one.
    expect(configuredSourceLocale([file("src/i18n/index.js", 'i18n.init({ lng: "de" });')], EN_DE_FR)?.locale).toBe("de");
    // The app-router example's settings module: a constant.
    expect(namedLocales(file("app/i18n/settings.ts", "export const fallbackLng = 'en';\nexport const languages = [fallbackLng, 'de'];"))).toEqual(["en"]);
  });

  it("reads Lingui's sourceLocale in lingui.config.ts and in .linguirc JSON", () => {
    const config = file(
      "lingui.config.ts",
      'import { defineConfig } from "@lingui/cli";\nexport default defineConfig({ sourceLocale: "fr", locales: ["fr", "en"] });',
    );
    expect(configuredSourceLocale([config], EN_DE_FR)).toEqual({ locale: "fr", reason: "from lingui.config.ts" });
    const rc = file(".linguirc", JSON.stringify({ locales: ["en", "de"], sourceLocale: "de", catalogs: [{ path: "src/locales/{locale}/messages" }] }));
    expect(configuredSourceLocale([rc], EN_DE_FR)).toEqual({ locale: "de", reason: "from .linguirc" });
    expect(namedLocales(file(".linguirc", "{ not json"))).toEqual([]);
  });

  it("reads react-intl's <IntlProvider defaultLocale> and vue-i18n's createI18n", () => {
    const app = file(
      "src/App.tsx",
      'export function App() {\n  return <IntlProvider locale={locale} defaultLocale="de" messages={messages}><Home /></IntlProvider>;\n}\n',
    );
    expect(configuredSourceLocale([app], EN_DE_FR)).toEqual({ locale: "de", reason: "from src/App.tsx" });
    expect(namedLocales(file("src/App.jsx", "const app = <IntlProvider defaultLocale={'fr'} />;"))).toEqual(["fr"]);
    const vue = file("src/main.ts", 'const i18n = createI18n({ legacy: false, locale: "de", fallbackLocale: "en", messages });\napp.use(i18n);');
    expect(namedLocales(vue)).toEqual(["en", "de"]);
    expect(configuredSourceLocale([vue], EN_DE_FR)).toEqual({ locale: "en", reason: "from src/main.ts" });
  });

  it("reads common constants and ignores what is not a literal or not a setup call", () => {
    expect(namedLocales(file("src/config.ts", 'export const DEFAULT_LOCALE = "fr";'))).toEqual(["fr"]);
    expect(namedLocales(file("src/config.ts", 'export const i18n = { defaultLocale: "de", locales: ["en", "de"] } as const;'))).toEqual(["de"]);
    expect(namedLocales(file("src/i18n.ts", "export const defaultLocale = process.env.LOCALE ?? fallback;"))).toEqual([]);
    // `locale` outside the library's setup call means anything (a date format's, a user's).
    expect(namedLocales(file("src/i18n.ts", 'const format = { locale: "de" };\nformatDate(date, { locale: "fr" });'))).toEqual([]);
  });

  it("takes the first config that names a language with locale files, the library's own config first", () => {
    const routing = file("src/i18n/routing.ts", 'export const routing = defineRouting({ locales: ["en", "de"], defaultLocale: "de" });');
    const nextConfig = file("next.config.js", 'module.exports = { i18n: { defaultLocale: "fr" } };');
    const component = file("src/App.tsx", 'const app = <IntlProvider defaultLocale="en" />;');
    expect(configuredSourceLocale([component, nextConfig, routing], EN_DE_FR)?.reason).toBe("from src/i18n/routing.ts");
    expect(configuredSourceLocale([component, nextConfig], EN_DE_FR)?.reason).toBe("from next.config.js");
    // A config naming a language without locale files says nothing about them: the next one decides.
    const italian = file("src/i18n/routing.ts", 'export const routing = defineRouting({ locales: ["it"], defaultLocale: "it" });');
    expect(configuredSourceLocale([italian, nextConfig], EN_DE_FR)?.reason).toBe("from next.config.js");
    expect(configuredSourceLocale([italian], EN_DE_FR)).toBeUndefined();
    expect(configuredSourceLocale([routing], new Set())).toBeUndefined();
  });

  it("matches a config's tag to the locale files' spelling, else to the same language", () => {
    const named = (tag: string) => [file("next.config.js", `module.exports = { i18n: { defaultLocale: "${tag}" } };`)];
    expect(configuredSourceLocale(named("pt_br"), new Set(["pt-BR", "en"]))?.locale).toBe("pt-BR");
    expect(configuredSourceLocale(named("en-US"), new Set(["en", "de"]))?.locale).toBe("en");
    expect(configuredSourceLocale(named("en"), new Set(["en-GB", "en-US", "de"]))?.locale).toBe("en-GB");
  });

  it("falls back to English, then to the most complete language, when no config names one", () => {
    const counts = new Map([
      ["de", 40],
      ["fr", 90],
    ]);
    expect(decideSourceLocale([], counts)).toEqual({ locale: "fr", reason: "most complete" });
    expect(decideSourceLocale([], new Map([...counts, ["en", 3]]))).toEqual({ locale: "en", reason: "English" });
    const lingui = file("lingui.config.js", 'module.exports = { sourceLocale: "de" };');
    expect(decideSourceLocale([lingui], counts)).toEqual({ locale: "de", reason: "from lingui.config.js" });
    expect(decideSourceLocale([], new Map())).toBeUndefined();
  });
});

describe("i18n config files a catalog reads", () => {
  it("are the framework and library configs that are not copy files themselves, at any depth", () => {
    for (const path of [
      "next.config.cjs",
      "next.config.mjs",
      "apps/web/next.config.ts",
      "lingui.config.ts",
      ".linguirc",
      "next-i18next.config.js",
      "nuxt.config.ts",
    ]) {
      expect(isI18nConfigFile(path), path).toBe(true);
    }
    for (const path of ["node_modules/next/next.config.js", "src/app/page.tsx", "package.json", "src/i18n/routing.ts", "tsconfig.json"]) {
      expect(isI18nConfigFile(path), path).toBe(false);
    }
  });
});
