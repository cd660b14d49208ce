import { describe, expect, it } from "vitest";
import { buildCatalog } from "./catalog";
import { applyCopyEdits } from "./apply-edits";
import { isOtherLanguage, sourceLocaleOf, withLinkedEdits } from "./catalog-entry";
import { classifyCopyFile, type CopyFile } from "./extract-strings";
import { defaultSourceLocale, localeOfPath, sourceLocale } from "./locale-files";

const json = (path: string, value: unknown): CopyFile => ({ path, content: JSON.stringify(value, null, 2) });

describe("locale files", () => {
  it("reads the language from the file name or the nearest language folder", () => {
    expect(localeOfPath("messages/pt-BR.json")).toEqual({ locale: "pt-BR", template: "messages/{locale}.json" });
    expect(localeOfPath("src/locales/en_GB.json")).toEqual({ locale: "en-GB", template: "src/locales/{locale}.json" });
    expect(localeOfPath("public/locales/de/common.json")).toEqual({ locale: "de", template: "public/locales/{locale}/common.json" });
    expect(localeOfPath("src/i18n/fr/app.yml")).toEqual({ locale: "fr", template: "src/i18n/{locale}/app.yml" });
    // Folder and file names that only look like languages are not.
    expect(localeOfPath("src/locales/app.json")).toBeUndefined();
    expect(localeOfPath("locales/strings.json")).toBeUndefined();
  });

  it("takes English as the source when the repository has it, otherwise the biggest language", () => {
    expect(
      sourceLocale(
        new Map([
          ["de", 90],
          ["en", 10],
          ["fr", 90],
        ]),
      ),
    ).toBe("en");
    expect(
      sourceLocale(
        new Map([
          ["de", 90],
          ["en-US", 10],
        ]),
      ),
    ).toBe("en-US");
    expect(
      sourceLocale(
        new Map([
          ["de", 90],
          ["fr", 40],
        ]),
      ),
    ).toBe("de");
    expect(sourceLocale(new Map())).toBeUndefined();
    expect(defaultSourceLocale(new Map([["en-GB", 1]]))).toEqual({ locale: "en-GB", reason: "English" });
    expect(
      defaultSourceLocale(
        new Map([
          ["de", 9],
          ["fr", 4],
        ]),
      ),
    ).toEqual({ locale: "de", reason: "most complete" });
  });
});

describe("the catalog of a translated app", () => {
  const files = [
    json("messages/en.json", { nav: { home: "Home", pricing: "Pricing" }, hero: { title: "Ship faster", draft: "" } }),
    json("messages/fr.json", { nav: { home: "Accueil", pricing: "Tarifs" }, hero: { title: "" } }),
    json("messages/de.json", { nav: { home: "Startseite" } }),
    json("public/locales/en/common.json", { save: "Save" }),
    json("public/locales/es/common.json", { save: "Guardar" }),
  ];
  const catalog = buildCatalog(files);

  it("shows the source language by default, with the languages that translate each string", () => {
    expect(catalog.filter((entry) => !isOtherLanguage(entry)).map((entry) => [entry.path, entry.key, entry.text, entry.translations ?? []])).toEqual([
      ["messages/en.json", "nav.home", "Home", ["de", "fr"]],
      ["messages/en.json", "nav.pricing", "Pricing", ["fr"]],
      ["messages/en.json", "hero.title", "Ship faster", []],
      ["public/locales/en/common.json", "save", "Save", ["es"]],
    ]);
    expect(sourceLocaleOf(catalog)).toEqual({ locale: "en", reason: "English" });
  });

  it("lists every other language's non-empty messages too, each with its language and its own id", () => {
    expect(catalog.filter(isOtherLanguage).map((entry) => [entry.locale, entry.path, entry.key, entry.text])).toEqual([
      ["fr", "messages/fr.json", "nav.home", "Accueil"],
      ["fr", "messages/fr.json", "nav.pricing", "Tarifs"],
      ["de", "messages/de.json", "nav.home", "Startseite"],
      ["es", "public/locales/es/common.json", "save", "Guardar"],
    ]);
    const home = catalog.filter((entry) => entry.key === "nav.home");
    expect(home.map((entry) => entry.locale)).toEqual(["en", "fr", "de"]);
    expect(new Set(home.map((entry) => entry.id)).size).toBe(3);
    // Translations are a fact of the source string only.
    expect(home.map((entry) => entry.translations)).toEqual([["de", "fr"], undefined, undefined]);
  });

  it("gives strings outside locale files no language: they are always shown", () => {
    const withCode = buildCatalog([...files, { path: "src/app/page.tsx", content: "export default function Page() { return <h1>Welcome</h1>; }" }]);
    const welcome = withCode.find((entry) => entry.text === "Welcome");
    expect(welcome?.locale).toBeUndefined();
    expect(welcome && isOtherLanguage(welcome)).toBe(false);
  });

  it("takes the source language the app's i18n config names over English", () => {
    const routing = { path: "src/i18n/routing.ts", content: 'export const routing = defineRouting({ locales: ["en", "fr", "de"], defaultLocale: "fr" });' };
    const configured = buildCatalog([...files, routing]);
    expect(sourceLocaleOf(configured)).toEqual({ locale: "fr", reason: "from src/i18n/routing.ts" });
    expect(configured.filter((entry) => !isOtherLanguage(entry)).map((entry) => [entry.path, entry.key, entry.translations ?? []])).toEqual([
      ["messages/fr.json", "nav.home", ["de", "en"]],
      ["messages/fr.json", "nav.pricing", ["en"]],
    ]);
    // public/locales has no French: its English and Spanish are other languages under a French source.
    expect(configured.filter(isOtherLanguage).map((entry) => `${entry.locale}:${entry.path}`)).toContain("en:public/locales/en/common.json");
  });
});

describe("developer documents", () => {
  it("are not copy at any depth, and neither are hidden tooling folders", () => {
    for (const path of [
      "packages/ui/CHANGELOG.md",
      "docs/ARCHITECTURE.md",
      "CONTRIBUTING.md",
      "apps/web/AGENTS.md",
      ".github/PULL_REQUEST_TEMPLATE.md",
      ".changeset/brave-cats.md",
      ".claude/plan.md",
      "README.md",
      "packages/ui/README.md",
      "skills/saas-builder/SKILL.md",
      "docs/decisions/001-use-sqlite.md",
      "CODE_STYLE.md",
      "WRITING_STYLE.md",
      "CLA.md",
      "app/components/button.stories.tsx",
      "prisma/seed.ts",
      "tests/fixtures/users.ts",
      "remix.init/index.js",
      "locales/__fixtures__/en.json",
      "scripts/generate-test-pdf.mjs",
      "packages/lib/scripts/migrate.ts",
    ]) {
      expect(classifyCopyFile(path), path).toBeUndefined();
    }
    for (const path of [
      "docs/guides/getting-started.md",
      "content/blog/launch.mdx",
      "docs/README.md",
      "app/routes/pricing.tsx",
      "app/seed-list.tsx",
      "src/scripts/tour.ts",
    ])
      expect(classifyCopyFile(path), path).toBeDefined();
  });
});

describe("defaults in code", () => {
  it("lists a t() or FormatJS default only when the source language's catalog lacks its key", () => {
    const entries = buildCatalog([
      { path: "locales/en.json", content: JSON.stringify({ save: "Save changes", settings: { title: "Settings" } }) },
      { path: "locales/de.json", content: JSON.stringify({ save: "Speichern", later: "Später" }) },
      {
        path: "src/settings.tsx",
        content: [
          'import { defineMessages } from "react-intl";',
          'const messages = defineMessages({ title: { id: "settings.title", defaultMessage: "Your settings" }, help: { id: "settings.help", defaultMessage: "Need help?" } });',
          'export function Settings({ t }) { return <p>{t("save", "Save")} {t("later", "Do it later")} {t("common:save", { defaultValue: "Keep" })}</p>; }',
        ].join("\n"),
      },
    ]);
    const texts = entries.filter((entry) => entry.kind === "script-string").map((entry) => entry.text);
    // "Save", "Keep" (namespace common) and "Your settings" never render: en.json has save and settings.title.
    expect(texts.sort()).toEqual(["Do it later", "Need help?"]);
  });

  it("links the catalog entry to the defaults it overrides, so an edit changes both and formatjs extract cannot undo it", () => {
    const files = [
      { path: "lang/en.json", content: JSON.stringify({ "cart.empty": { defaultMessage: "Your cart is empty" } }, null, 2) },
      { path: "lang/fr.json", content: JSON.stringify({ "cart.empty": { defaultMessage: "Votre panier est vide" } }, null, 2) },
      {
        path: "src/cart.tsx",
        content: [
          'import { FormattedMessage } from "react-intl";',
          'export const Cart = () => <FormattedMessage id="cart.empty" defaultMessage="Your cart is empty" />;',
          'export const Mini = () => <FormattedMessage id="cart.empty" defaultMessage="Cart is empty" />;',
        ].join("\n"),
      },
    ];
    const entries = buildCatalog(files);
    const english = entries.find((entry) => entry.path === "lang/en.json");
    if (!english) throw new Error("lang/en.json is not listed");
    expect(english.linked?.map((link) => [link.path, link.text])).toEqual([
      ["src/cart.tsx", "Your cart is empty"],
      ["src/cart.tsx", "Cart is empty"],
    ]);
    // Other languages and the overridden defaults are not listed, nor linked.
    expect(entries.filter((entry) => entry.path === "src/cart.tsx")).toEqual([]);
    expect(entries.find((entry) => entry.path === "lang/fr.json")?.linked).toBeUndefined();

    const edits = withLinkedEdits(
      [{ id: english.id, from: english.text, text: "Nothing in your cart yet" }],
      new Map(entries.map((entry) => [entry.id, entry])),
    );
    const { files: written } = applyCopyEdits(files, edits);
    const content = (path: string) => written.find((file) => file.path === path)?.content ?? "";
    expect(content("lang/en.json")).toContain('"defaultMessage": "Nothing in your cart yet"');
    expect(content("src/cart.tsx").match(/defaultMessage="Nothing in your cart yet"/g)).toHaveLength(2);
    expect(content("lang/fr.json")).toContain("Votre panier est vide");
  });

  it("hides <Trans i18nKey> children the locale file overrides, without linking its pieces to the message", () => {
    const entries = buildCatalog([
      { path: "locales/en.json", content: JSON.stringify({ terms: "By paying you accept our <1>terms</1>." }) },
      {
        path: "src/terms.tsx",
        content:
          'import { Trans } from "react-i18next";\nexport const Terms = () => <Trans i18nKey="terms">By paying you agree to our <a href="/terms">terms</a>.</Trans>;\n',
      },
    ]);
    expect(entries.map((entry) => [entry.path, entry.text, entry.linked])).toEqual([["locales/en.json", "By paying you accept our <1>terms</1>.", undefined]]);
  });
});
