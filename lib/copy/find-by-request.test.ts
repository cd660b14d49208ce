import { describe, expect, it } from "vitest";
import { applyCopyEdits } from "./apply-edits";
import { extractStrings } from "./extract-strings";
import { findByRequest, parseCopyRequest } from "./find-by-request";
import { loadFixtures } from "./load-fixtures.test-helper";

const files = loadFixtures();
const strings = extractStrings(files);

describe("parseCopyRequest", () => {
  it.each([
    ['change "Sign up" to "Create account"', { from: "Sign up", to: "Create account" }],
    ["Change “Sign up” to “Create account” on the pricing page.", { from: "Sign up", to: "Create account", scope: "pricing" }],
    ["please replace 'Don't wait' with 'Go now' in Footer", { from: "Don't wait", to: "Go now", scope: "Footer" }],
  ])("parses %s", (request, expected) => {
    expect(parseCopyRequest(request)).toEqual(expected);
  });
});

describe("findByRequest", () => {
  it("applies an unambiguous request", () => {
    const result = findByRequest(strings, "change “Billed yearly” to “Paid once a year”");
    expect(result.kind).toBe("edits");
    if (result.kind !== "edits") return;
    const applied = applyCopyEdits(files, result.edits);
    expect(applied.files.find((file) => file.path === "app/pricing/page.tsx")?.content).toContain('{yearly ? "Paid once a year" : "Billed monthly"}');
  });

  it("lists candidates when several strings match", () => {
    const result = findByRequest(strings, 'change "Sign up" to "Create account"');
    expect(result.kind === "ambiguous" && result.candidates.map((copy) => [copy.line, copy.context.component])).toEqual([
      [21, "PricingPage"],
      [22, "PricingPage"],
      [27, "Footer"],
    ]);
  });

  it("narrows by scope", () => {
    const result = findByRequest(strings, 'change "Sign up" to "Join" in Footer');
    const footer = strings.find((copy) => copy.context.component === "Footer");
    expect(result).toEqual({ kind: "edits", edits: [{ id: footer?.id, text: "Join" }] });
    expect(findByRequest(strings, 'change "Home" to "Start" on the pricing page').kind).toBe("not-found");
  });

  it("falls back to a case-insensitive match", () => {
    const result = findByRequest(strings, 'change "getting STARTED" to "Begin"');
    expect(result.kind === "edits" && result.edits.map((edit) => edit.text)).toEqual(["Begin"]);
  });

  it("offers partial matches as candidates but never applies them", () => {
    const result = findByRequest(strings, 'change "happy" to "glad"');
    expect(result.kind === "ambiguous" && result.candidates.map((copy) => copy.text)).toEqual(["A happy team"]);
  });

  it("explains what it could not find or parse", () => {
    expect(findByRequest(strings, 'change "Nope" to "Yes"')).toEqual({ kind: "not-found", message: 'No text "Nope" found' });
    expect(findByRequest(strings, "make it nicer").kind).toBe("not-found");
  });
});
