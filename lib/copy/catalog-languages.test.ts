import { describe, expect, it } from "vitest";
import { buildCatalog } from "./catalog";
import { classifyCopyFile, type CopyFile } from "./extract-strings";
import { localeOfPath, sourceLocale } from "./locale-files";

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

  it("lists the source language only, with the languages that translate each string", () => {
    expect(catalog.map((entry) => [entry.path, entry.key, entry.text, entry.translations ?? []])).toEqual([
      ["messages/en.json", "nav.home", "Home", ["de", "fr"]],
      ["messages/en.json", "nav.pricing", "Pricing", ["fr"]],
      ["messages/en.json", "hero.title", "Ship faster", []],
      ["public/locales/en/common.json", "save", "Save", ["es"]],
    ]);
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
    ]) {
      expect(classifyCopyFile(path), path).toBeUndefined();
    }
    for (const path of ["docs/guides/getting-started.md", "content/blog/launch.mdx", "docs/README.md"]) expect(classifyCopyFile(path), path).toBeDefined();
  });
});
