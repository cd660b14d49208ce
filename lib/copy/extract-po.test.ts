import { po } from "gettext-parser";
import { describe, expect, it } from "vitest";
import { applyCopyEdits, CopyEditError } from "./apply-edits";
import { buildCatalog } from "./catalog";
import { isOtherLanguage } from "./catalog-entry";
import { classifyCopyFile, extractLocatedStrings, extractStrings, type CopyFile } from "./extract-strings";
import { localeOfPath } from "./locale-files";

// A Lingui source catalog: a header, references, a context, a wrapped message, a plural, a fuzzy guess,
// an untranslated entry and an obsolete one.
const EN: CopyFile = {
  path: "src/locales/en/messages.po",
  content: `msgid ""
msgstr ""
"POT-Creation-Date: 2026-01-05 10:00+0000\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"X-Generator: @lingui/cli\\n"
"Language: en\\n"

#: src/Settings.tsx:12
msgid "Save changes"
msgstr "Save changes"

#: src/Toolbar.tsx:4
msgctxt "verb"
msgid "Open"
msgstr "Open"

#: src/Welcome.tsx:8
msgid "welcome.body"
msgstr ""
"Hello {name}, your workspace is ready. "
"Invite your team to get started.\\n"

msgid "{count} file"
msgid_plural "{count} files"
msgstr[0] "{count} file"
msgstr[1] "{count} files"

#, fuzzy
msgid "Delete"
msgstr "Remove"

msgid "Archive"
msgstr ""

#~ msgid "Old label"
#~ msgstr "Old label"
`,
};

const FR: CopyFile = {
  path: "src/locales/fr/messages.po",
  content: `msgid ""
msgstr ""
"Language: fr\\n"

msgid "Save changes"
msgstr "Enregistrer"

msgctxt "verb"
msgid "Open"
msgstr ""
`,
};

describe("gettext catalogs", () => {
  it("reads .po files in translation folders, and gives them a language", () => {
    expect(classifyCopyFile("src/locales/en/messages.po")).toBe("po");
    expect(classifyCopyFile("locale/fr/LC_MESSAGES/django.po")).toBe("po");
    expect(classifyCopyFile("tools/sample.po")).toBeUndefined();
    expect(classifyCopyFile("src/locales/messages.pot")).toBeUndefined();
    expect(localeOfPath("src/locales/en/messages.po")).toEqual({ locale: "en", template: "src/locales/{locale}/messages.po" });
    expect(localeOfPath("locale/pt_BR/LC_MESSAGES/django.po")).toEqual({ locale: "pt-BR", template: "locale/{locale}/LC_MESSAGES/django.po" });
    expect(localeOfPath("locales/de.po")).toEqual({ locale: "de", template: "locales/{locale}.po" });
  });

  it("lists each msgstr under its context and msgid, and skips the header, fuzzy, empty and obsolete entries", () => {
    const strings = extractLocatedStrings([EN]);
    expect(strings.map((copy) => [copy.kind, copy.key, copy.text, copy.line, EN.content.slice(copy.start, copy.end)])).toEqual([
      ["i18n", "Save changes", "Save changes", 11, '"Save changes"'],
      ["i18n", "verb|Open", "Open", 16, '"Open"'],
      [
        "i18n",
        "welcome.body",
        "Hello {name}, your workspace is ready. Invite your team to get started.\n",
        20,
        '""\n"Hello {name}, your workspace is ready. "\n"Invite your team to get started.\\n"',
      ],
      ["i18n", "{count} file[0]", "{count} file", 26, '"{count} file"'],
      ["i18n", "{count} file[1]", "{count} files", 27, '"{count} files"'],
    ]);
    // Lingui's messages are ICU messages.
    for (const copy of strings) expect(copy.syntax).toEqual({ type: "po-string", icu: true });
  });

  it("encodes edits as one C-style string, also over a wrapped msgstr, and the file still parses", () => {
    const strings = extractStrings([EN]);
    const idOf = (key: string) => strings.find((copy) => copy.key === key)?.id ?? "";
    const result = applyCopyEdits(
      [EN],
      [
        { id: idOf("Save changes"), text: 'Save "all"\tchanges \\ now' },
        { id: idOf("welcome.body"), text: "Hi {name}!\nYour workspace is ready." },
      ],
    );
    const content = result.files[0]?.content ?? "";
    expect(content).toContain('msgid "Save changes"\nmsgstr "Save \\"all\\"\\tchanges \\\\ now"\n');
    expect(content).toContain('msgid "welcome.body"\nmsgstr "Hi {name}!\\nYour workspace is ready."\n\nmsgid "{count} file"');
    const table = po.parse(content, { validation: true });
    expect(table.translations[""]?.["Save changes"]?.msgstr).toEqual(['Save "all"\tchanges \\ now']);
    expect(table.translations[""]?.["welcome.body"]?.msgstr).toEqual(["Hi {name}!\nYour workspace is ready."]);
    expect(extractStrings(result.files).map((copy) => copy.id)).toEqual(strings.map((copy) => copy.id));
  });

  it("edits a catalog that strict gettext checks already fail, such as plurals without a Plural-Forms header", () => {
    const bare = { path: "locales/en.po", content: 'msgid "%d day"\nmsgid_plural "%d days"\nmsgstr[0] "%d day"\nmsgstr[1] "%d days"\n' };
    const [, other] = extractStrings([bare]);
    if (!other) throw new Error("no plural");
    const result = applyCopyEdits([bare], [{ id: other.id, text: "%d days left" }]);
    expect(result.files[0]?.content).toBe('msgid "%d day"\nmsgid_plural "%d days"\nmsgstr[0] "%d day"\nmsgstr[1] "%d days left"\n');
  });

  it("refuses an edit that breaks a Lingui ICU message", () => {
    const plural = extractStrings([EN]).find((copy) => copy.key === "{count} file[1]");
    if (!plural) throw new Error("no plural");
    try {
      applyCopyEdits([EN], [{ id: plural.id, text: "{count files" }]);
      throw new Error("expected a refusal");
    } catch (error) {
      expect(error).toBeInstanceOf(CopyEditError);
      expect((error as CopyEditError).problems).toEqual([
        { id: plural.id, message: expect.stringMatching(/unclosed/), where: `${plural.path}:${plural.line}` },
      ]);
    }
  });

  it("leaves out entries written with escapes an edit would not keep, and files it cannot read", () => {
    const octal = { path: "locales/en.po", content: 'msgid "Bell"\nmsgstr "Ring \\a now"\n\nmsgid "Plain"\nmsgstr "Plain text"\n' };
    expect(extractStrings([octal]).map((copy) => copy.text)).toEqual(["Plain text"]);
    // printf-style gettext (no ICU arguments or tags, no Lingui header): not checked as ICU.
    expect(extractLocatedStrings([octal])[0]?.syntax).toEqual({ type: "po-string" });
    const unterminated = { path: "locales/en.po", content: 'msgid "Plain"\nmsgstr "Plain text\n' };
    expect(extractStrings([unterminated])).toEqual([]);
    const unknownLine = { path: "locales/en.po", content: 'msgid "Plain"\nmsgstr "Plain text"\nmsgcomment "x"\n' };
    expect(extractStrings([unknownLine])).toEqual([]);
  });

  it("shows the source language's catalog by default, with the languages that translate each entry", () => {
    const catalog = buildCatalog([EN, FR]);
    expect(catalog.filter((entry) => !isOtherLanguage(entry)).map((entry) => [entry.path, entry.key, entry.translations ?? []])).toEqual([
      ["src/locales/en/messages.po", "Save changes", ["fr"]],
      ["src/locales/en/messages.po", "verb|Open", []],
      ["src/locales/en/messages.po", "welcome.body", []],
      ["src/locales/en/messages.po", "{count} file[0]", []],
      ["src/locales/en/messages.po", "{count} file[1]", []],
    ]);
  });
});
