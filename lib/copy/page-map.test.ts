import { describe, expect, it } from "vitest";
import { placeTexts, renderedPagesOf, routesToPicture, type PageMap, type RenderedText } from "./page-map";

const box = { x: 10, y: 20, width: 100, height: 18 };
const text = (value: string, extra: Partial<RenderedText> = {}): RenderedText => ({ text: value, ...box, ...extra });

describe("placeTexts", () => {
  it("matches rendered text to entries modulo whitespace, the entries placed on the route first", () => {
    const entries = [
      { id: "footer", text: "Sign up", pages: ["/about"] },
      { id: "pricing", text: "Sign up", pages: ["/pricing"] },
      { id: "title", text: "Simple,\n  honest pricing", pages: ["/pricing"] },
      { id: "elsewhere", text: "Only on about", pages: ["/about"] },
    ];
    const { boxes } = placeTexts(entries, "/pricing", [text("Simple, honest pricing"), text("  Sign up "), text("Not in the catalog")]);
    expect(boxes).toEqual([
      { entryIds: ["title"], text: "Simple, honest pricing", ...box },
      { entryIds: ["pricing", "footer"], text: "Sign up", ...box },
    ]);
  });

  it("matches placeholders of both styles and rich-text tags by their content, not ICU plurals or bare placeholders", () => {
    const entries = [
      { id: "hello", text: "Hello, {name}!", pages: [] },
      { id: "count", text: "{{count}} projects left", pages: [] },
      { id: "rich", text: "Read the <a>docs</a> first", pages: [] },
      { id: "plural", text: "{count, plural, one {# file} other {# files}}", pages: [] },
      { id: "bare", text: "{name}", pages: [] },
      { id: "dollar", text: "Costs $5 (per seat)", pages: [] },
    ];
    const { boxes } = placeTexts(entries, "/", [
      text("Hello, Ada!"),
      text("3 projects left"),
      text("Read the docs first", { element: true }),
      text("2 files"),
      text("Ada"),
      text("Costs $5 (per seat)"),
    ]);
    expect(boxes.map((placed) => placed.entryIds)).toEqual([["hello"], ["count"], ["dollar"], ["rich"]]);
  });

  it("uses an element's whole text only for entries no text node showed", () => {
    const entries = [{ id: "save", text: "Save", pages: [] }];
    const { boxes } = placeTexts(entries, "/", [text("Save", { element: true, width: 300 }), text("Save")]);
    expect(boxes).toEqual([{ entryIds: ["save"], text: "Save", ...box }]);
  });

  it("lists texts found with no box (the document title) as unplaced", () => {
    const entries = [
      { id: "title", text: "Pricing · Paperkite", pages: [] },
      { id: "both", text: "Pricing", pages: [] },
    ];
    const { boxes, unplaced } = placeTexts(entries, "/", [
      text("Pricing · Paperkite", { width: 0, height: 0 }),
      text("Pricing", { width: 0 }),
      text("Pricing"),
    ]);
    expect(unplaced).toEqual(["title"]);
    expect(boxes.map((placed) => placed.entryIds)).toEqual([["both"]]);
  });
});

describe("renderedPagesOf", () => {
  it("gives each entry the routes whose picture shows it", () => {
    const picture = (route: string, ids: string[][], unplaced: string[] = []) => ({
      route,
      viewport: { name: "desktop", width: 1280, height: 800 },
      artifactId: route,
      width: 1280,
      height: 900,
      boxes: ids.map((entryIds) => ({ entryIds, text: "", ...box })),
      unplaced,
    });
    const map: PageMap = {
      commit: "c",
      attemptId: "a",
      takenAt: "2026-12-02T00:00:00.000Z",
      pictures: [picture("/pricing", [["a", "b"]], ["t"]), picture("/", [["a"]])],
      failures: [],
    };
    expect(Object.fromEntries(renderedPagesOf(map))).toEqual({ a: ["/", "/pricing"], b: ["/pricing"], t: ["/pricing"] });
  });
});

describe("routesToPicture", () => {
  it("takes static routes by number of texts, '/' and configured routes first, never dynamic ones", () => {
    const entries = [
      { pages: ["/pricing", "*"] },
      { pages: ["/pricing"] },
      { pages: ["/about"] },
      { pages: ["/posts/[slug]", "/users/:id"] },
      { pages: ["/docs/*"] },
    ];
    expect(routesToPicture(entries, ["/contact", "/blog/[id]"], 10)).toEqual(["/", "/contact", "/pricing", "/about"]);
    expect(routesToPicture(entries, [], 2)).toEqual(["/", "/pricing"]);
  });
});
