// How a copywriter's Markdown edit is written: as typed, with a backslash only where the text would otherwise
// turn into syntax (lib/copy/encode-copy-text.ts). Every edit goes through applyCopyEdits, whose own check reads
// the file back and refuses an edit that does not render as typed.
import { describe, expect, it } from "vitest";
import { applyCopyEdits } from "./apply-edits";
import { extractStrings, type CopyFile } from "./extract-strings";

const GUIDE: CopyFile = {
  path: "content/guide.md",
  content: `# Getting started

Invite your team and *ship* your first project today.

| Plan | Seats |
| --- | --- |
| Team | Up to ten |
`,
};

const PAGE: CopyFile = {
  path: "content/launch.mdx",
  content: `import { Callout } from "../components/callout";

# Launch week

Five days of new features.

<Callout>Read the notes first.</Callout>
`,
};

/** Writes `text` over the text that reads `current`, and returns the file and what the catalog reads back. */
function edit(file: CopyFile, current: string, text: string): { content: string; texts: string[] } {
  const target = extractStrings([file]).find((copy) => copy.text === current);
  if (!target) throw new Error(`no "${current}" in ${file.path}`);
  const [after] = applyCopyEdits([file], [{ id: target.id, text }]).files;
  if (!after) throw new Error("no file");
  return { content: after.content, texts: extractStrings([after]).map((copy) => copy.text) };
}

describe("Markdown edits are written as typed", () => {
  it("leaves characters alone that cannot become syntax: &, spaced *, _ inside words, backslashes, a spaced <", () => {
    const typed = String.raw`Tom & Jerry: 5 * 3 = 15 in snake_case at C:\Users < home`;
    const { content, texts } = edit(GUIDE, "Invite your team and", typed);
    expect(content).toContain(`\n${typed} *ship* your first project today.\n`);
    expect(texts).toContain(typed);
  });

  it("escapes & only where it would start an entity", () => {
    const { content, texts } = edit(GUIDE, "your first project today.", "R&D &amp; more &#38; less");
    expect(content).toContain(String.raw`*ship* R&D \&amp; more \&#38; less`);
    expect(texts).toContain("R&D &amp; more &#38; less");
  });

  it("keeps typed emphasis, code and links as literal text, since each text run of a paragraph is its own entry", () => {
    const { content, texts } = edit(GUIDE, "Invite your team and", "Keep it *private*, **bold**, _quiet_, `npm i` or [see](https://x.dev)");
    expect(content).toContain(String.raw`Keep it \*private\*, \*\*bold\*\*, \_quiet\_, \`npm i\` or \[see\](https://x.dev) *ship*`);
    // Still one text before the original emphasis: the paragraph's other texts keep their place and their ids.
    expect(texts).toEqual([
      "Getting started",
      "Keep it *private*, **bold**, _quiet_, `npm i` or [see](https://x.dev)",
      "ship",
      "your first project today.",
      "Plan",
      "Seats",
      "Team",
      "Up to ten",
    ]);
  });

  it("never opens a block or ends a heading or a table cell", () => {
    expect(edit(GUIDE, "Getting started", "# Section 2 #").content).toContain("# \\# Section 2 \\#\n");
    expect(edit(GUIDE, "Invite your team and", "* not a list").content).toContain("\n\\* not a list *ship*");
    expect(edit(GUIDE, "Invite your team and", "> not a quote").content).toContain("\n\\> not a quote *ship*");
    expect(edit(GUIDE, "Invite your team and", "1. not a list").content).toContain("\n1\\. not a list *ship*");
    const cell = edit(GUIDE, "Up to ten", "Ten | or more");
    expect(cell.content).toContain("| Team | Ten \\| or more |");
    expect(cell.texts).toContain("Ten | or more");
  });

  it("writes spaces typed at the ends of an emphasised text the way the source has them, so the emphasis holds", () => {
    const { content, texts } = edit(GUIDE, "ship", " launch ");
    expect(content).toContain("and *launch* your");
    expect(texts).toContain("launch");
  });

  it("writes a no-break space at the edge of an emphasis as an entity, which keeps the emphasis", () => {
    const { content, texts } = edit(GUIDE, "ship", "\u00a0launch");
    expect(content).toContain("and *&nbsp;launch* your");
    expect(texts).toContain("\u00a0launch");
  });
});

describe("MDX edits are written as typed", () => {
  it("escapes what MDX reads as JSX or an expression (< and {), and nothing else", () => {
    const { content, texts } = edit(PAGE, "Five days of new features.", "Five days > four & {more} <3");
    expect(content).toContain("\nFive days > four & \\{more} \\<3\n");
    expect(texts).toContain("Five days > four & {more} <3");
  });

  it("keeps a text inside a component a text of that component", () => {
    const { content, texts } = edit(PAGE, "Read the notes first.", "Read <b>the</b> notes & *all* {changes}");
    expect(content).toContain(String.raw`<Callout>Read \<b>the\</b> notes & \*all\* \{changes}</Callout>`);
    expect(texts).toContain("Read <b>the</b> notes & *all* {changes}");
  });
});
