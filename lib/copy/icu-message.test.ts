import { parse } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { applyCopyEdits, CopyEditError } from "./apply-edits";
import { extractLocatedStrings, extractStrings, type CopyFile } from "./extract-strings";
import { icuMessageProblem, isIcuCatalog } from "./icu-message";

// A next-intl style catalog: ICU arguments, a plural and rich-text tags next to plain messages.
const NEXT_INTL: CopyFile = {
  path: "messages/en.json",
  content: JSON.stringify(
    {
      Hero: { title: "Ship faster", greeting: "Welcome back, {name}!", terms: "I accept the <link>terms</link>" },
      Cart: { items: "{count, plural, one {# item} other {# items}}" },
    },
    null,
    2,
  ),
};
// i18next: {{double braces}} are its placeholders, and a lone brace is plain text there.
const I18NEXT: CopyFile = { path: "public/locales/en/common.json", content: JSON.stringify({ title: "Ship faster", items: "You have {{count}} items" }) };

describe("isIcuCatalog", () => {
  it("recognises ICU catalogs by their arguments and tags, never i18next's double braces", () => {
    expect(isIcuCatalog(["Ship faster", "Welcome back, {name}!"])).toBe(true);
    expect(isIcuCatalog(["I accept the <link>terms</link>"])).toBe(true);
    expect(isIcuCatalog(["Ship faster", "You have {{count}} items", "Hi {name}"])).toBe(false);
    expect(isIcuCatalog(["Ship faster", "Plain text only"])).toBe(false);
  });
});

describe("icuMessageProblem", () => {
  const problem = (before: string, after: string) => icuMessageProblem(before, after);

  it("refuses what the app could no longer render: a lone brace or an unclosed tag", () => {
    expect(problem("Ship faster", "Ship {faster")).toMatch(/put it in single quotes/);
    expect(problem("Welcome back, {name}!", "Welcome back, {name}! {")).toMatch(/unclosed/);
    expect(problem("I accept the <link>terms</link>", "I accept the <link>terms")).toMatch(/unclosed/);
  });

  it("keeps the message's tags and placeholders, and adds none", () => {
    expect(problem("I accept the <link>terms</link>", "I accept the terms")).toBe(
      "Keep the tags <link>…</link>: the page uses them to style or link that part of the text",
    );
    expect(problem("Ship faster", "Ship <i>much</i> faster")).toMatch(/^Remove <i>…<\/i>/);
    expect(problem("Welcome back, {name}!", "Welcome back!")).toBe("Keep the placeholders {name}");
    expect(problem("{count, plural, one {# item} other {# items}}", "{total, plural, one {# thing} other {# things}}")).toMatch(
      /Keep the placeholders \{count\}/,
    );
    expect(problem("Welcome back, {name}!", "Welcome back, {name} from {city}!")).toMatch(/^Remove \{city\}/);
  });

  it("accepts new wording, plural forms and quoted braces that still parse", () => {
    expect(problem("{count, plural, one {# item} other {# items}}", "{count, plural, =0 {Empty} one {# product} other {# products}}")).toBeUndefined();
    expect(problem("Ship faster", "Ship '{'faster'}'")).toBeUndefined();
    expect(parse("Ship '{'faster'}'")).toEqual([{ type: 0, value: "Ship {faster}" }]);
    expect(problem("I accept the <link>terms</link>", "I agree to the <link>terms of service</link>")).toBeUndefined();
  });
});

describe("copy edits in ICU catalogs", () => {
  const strings = extractStrings([NEXT_INTL, I18NEXT]);
  const idOf = (path: string, key: string) => {
    const found = strings.find((copy) => copy.path === path && copy.key === key);
    if (!found) throw new Error(`no ${key} in ${path}`);
    return found.id;
  };
  const problemsOf = (files: CopyFile[], id: string, text: string) => {
    try {
      applyCopyEdits(files, [{ id, text }]);
      return [];
    } catch (error) {
      if (!(error instanceof CopyEditError)) throw error;
      return error.problems.map((found) => found.message);
    }
  };

  it("marks every message of an ICU file, including its plain ones, and none of an i18next file", () => {
    const icu = extractLocatedStrings([NEXT_INTL]);
    expect(icu).toHaveLength(4);
    for (const copy of icu) expect(copy.syntax).toEqual({ type: "json-string", icu: true });
    for (const copy of extractLocatedStrings([I18NEXT])) expect(copy.syntax).toEqual({ type: "json-string" });
  });

  it("refuses a lone brace in a plain message of an ICU catalog, and allows it in i18next", () => {
    expect(problemsOf([NEXT_INTL], idOf("messages/en.json", "Hero.title"), "Ship {faster")).toEqual([expect.stringMatching(/single quotes/)]);
    expect(problemsOf([I18NEXT], idOf("public/locales/en/common.json", "title"), "Ship {faster")).toEqual([]);
  });

  it("writes an accepted edit that the app's parser reads back", () => {
    const result = applyCopyEdits([NEXT_INTL], [{ id: idOf("messages/en.json", "Hero.terms"), text: "I agree to the <link>terms of service</link>" }]);
    const written = JSON.parse(result.files[0]?.content ?? "{}") as { Hero: { terms: string } };
    expect(written.Hero.terms).toBe("I agree to the <link>terms of service</link>");
    expect(() => parse(written.Hero.terms)).not.toThrow();
  });
});
