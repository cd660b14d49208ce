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

describe("findByRequest with the pages strings appear on", () => {
  const entry = (id: string, text: string, path: string, pages: string[]) => ({
    id,
    text,
    path,
    pages,
    kind: "jsx-text" as const,
    start: 0,
    end: 0,
    line: 1,
    context: {},
  });
  const catalog = [
    entry("dialog", "Delete project", "src/components/DeleteDialog.tsx", ["/settings"]),
    entry("docs", "Delete project", "docs/settings.mdx", []),
    entry("header", "Sign up", "src/components/Header.tsx", ["*"]),
    entry("hero", "Ship faster", "src/pages/index.tsx", ["/"]),
    entry("signup", "Create your account", "src/app/sign-up/page.tsx", ["/sign-up"]),
  ];

  it("takes the string shown on the named page over files that merely mention the name", () => {
    expect(findByRequest(catalog, 'change "Delete project" to "Delete for good" on the settings page')).toEqual({
      kind: "edits",
      edits: [{ id: "dialog", text: "Delete for good" }],
    });
  });

  it("knows the home page, multi-word pages, and strings shown on every page", () => {
    expect(findByRequest(catalog, 'change "Ship faster" to "Ship today" on the home page')).toMatchObject({ edits: [{ id: "hero" }] });
    expect(findByRequest(catalog, 'change "Create your account" to "Join us" on the sign up page')).toMatchObject({ edits: [{ id: "signup" }] });
    expect(findByRequest(catalog, 'change "Sign up" to "Join" on the pricing page')).toMatchObject({ edits: [{ id: "header" }] });
  });

  it("still narrows by file or component when no page has the name", () => {
    expect(findByRequest(catalog, 'change "Delete project" to "Remove" in docs')).toMatchObject({ edits: [{ id: "docs" }] });
  });

  it("takes the string seen on the picture of the named page first", () => {
    // Two "Save" buttons the code cannot place (shared components); the picture of /billing shows one.
    const pictured = [
      { ...entry("profile", "Save", "src/components/ProfileForm.tsx", []), renderedPages: ["/profile"] },
      { ...entry("billing", "Save", "src/components/BillingForm.tsx", []), renderedPages: ["/billing"] },
    ];
    expect(findByRequest(pictured, 'change "Save" to "Save card" on the billing page')).toMatchObject({ edits: [{ id: "billing" }] });
    expect(findByRequest(pictured, 'change "Save" to "Keep"')).toMatchObject({ kind: "ambiguous" });
  });
});
