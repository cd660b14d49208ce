import { describe, expect, it } from "vitest";
import { applyCopyEdits } from "./apply-edits";
import { extractStrings, parseMarkdown, type CopyFile } from "./extract-strings";

const DOC: CopyFile = {
  path: "docs/permissions.md",
  content: `# Permissions

| Action | Who can do it |
| --- | --- |
| Invite people | Only team admins |
| Delete a project | Owners |

Text after the table.
`,
};

/** Rows × cells as a GFM reader sees them (the same parser the catalog uses). */
function tableShape(content: string): string[][] {
  const tree = parseMarkdown(content, false) as { children: { type: string; children: { children: { children: { value?: string }[] }[] }[] }[] };
  const table = tree.children.find((node) => node.type === "table");
  return (table?.children ?? []).map((row) => row.children.map((cell) => cell.children.map((child) => child.value ?? "").join("")));
}

describe("Markdown tables in copy mode", () => {
  const strings = extractStrings([DOC]);

  it("lists each cell as its own text, never a row with its pipes", () => {
    const texts = strings.map((copy) => copy.text);
    expect(texts).toEqual([
      "Permissions",
      "Action",
      "Who can do it",
      "Invite people",
      "Only team admins",
      "Delete a project",
      "Owners",
      "Text after the table.",
    ]);
    expect(texts.some((text) => text.includes("|"))).toBe(false);
  });

  it("edits one cell without merging rows or adding a column, even with a pipe in the new text", () => {
    const cell = strings.find((copy) => copy.text === "Only team admins");
    if (!cell) throw new Error("no cell");
    const result = applyCopyEdits([DOC], [{ id: cell.id, text: "Admins | owners" }]);
    const after = result.files[0]?.content ?? "";
    expect(tableShape(after)).toEqual([
      ["Action", "Who can do it"],
      ["Invite people", "Admins | owners"],
      ["Delete a project", "Owners"],
    ]);
    expect(after).toContain("| Invite people | Admins \\| owners |");
  });
});

describe("Markdown front matter in copy mode", () => {
  const POST: CopyFile = {
    path: "content/blog/launch.mdx",
    content: `---
title: Launch week
description: "Five days, five features"
slug: launch-week
draft: false
---

# Launch week

Welcome.
`,
  };

  it("lists the title and description a site shows, not its configuration", () => {
    const strings = extractStrings([POST]);
    expect(strings.map((copy) => [copy.key ?? null, copy.text])).toEqual([
      ["title", "Launch week"],
      ["description", "Five days, five features"],
      [null, "Launch week"],
      [null, "Welcome."],
    ]);
  });

  it("edits a front matter field so the YAML still reads it back", () => {
    const title = extractStrings([POST]).find((copy) => copy.key === "title");
    if (!title) throw new Error("no title");
    const result = applyCopyEdits([POST], [{ id: title.id, text: "Launch week: day #1" }]);
    const after = result.files[0]?.content ?? "";
    expect(extractStrings([{ ...POST, content: after }]).find((copy) => copy.id === title.id)?.text).toBe("Launch week: day #1");
    expect(after).toContain("slug: launch-week\ndraft: false\n---");
  });
});
