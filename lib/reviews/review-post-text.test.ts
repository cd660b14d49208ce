import { describe, expect, it } from "vitest";
import type { FindingDto } from "./review-findings";
import { reviewPost, visibleNewLines } from "./review-post-text";

const PATCH = `diff --git a/src/greet.js b/src/greet.js
--- a/src/greet.js
+++ b/src/greet.js
@@ -1,4 +1,5 @@
 export function greet(name) {
-  return "Hello, " + name;
+  return \`Hello, \${name}!\`;
+  // unreachable
 }
 
`;

const finding = (overrides: Partial<FindingDto>): FindingDto => ({
  id: "f1",
  severity: "P1",
  path: "src/greet.js",
  startLine: 2,
  endLine: 2,
  title: "Wrong punctuation",
  body: "Callers compare the greeting.",
  suggestion: null,
  ...overrides,
});

describe("a review as one forge review", () => {
  it("knows which lines of each changed file the diff shows, and each unchanged one's line in the base", () => {
    expect([...(visibleNewLines(PATCH).get("src/greet.js") ?? [])]).toEqual([
      [1, 1],
      [2, null],
      [3, null],
      [4, 3],
      [5, 4],
    ]);
  });

  it("puts findings on shown lines inline, with a suggestion block, and the others in the body", () => {
    const post = reviewPost(
      [
        finding({ suggestion: "  return `Hello, ${name}.`;\n" }),
        finding({ id: "f2", severity: "P3", startLine: 2, endLine: 3, title: "Dead code", body: "Remove it.", suggestion: null }),
        finding({ id: "f3", severity: "P2", path: "README.md", startLine: 1, endLine: 1, title: "Docs", body: "Mention it." }),
        finding({ id: "f4", severity: "P2", startLine: 5, endLine: 9, title: "Past the hunk", body: "Later lines." }),
      ],
      PATCH,
      "Mostly fine.",
    );
    expect(post.comments).toEqual([
      {
        path: "src/greet.js",
        line: 2,
        startLine: null,
        oldLine: null,
        body: "**P1: Wrong punctuation**\n\nCallers compare the greeting.\n\n```suggestion\n  return `Hello, ${name}.`;\n```",
      },
      { path: "src/greet.js", line: 3, startLine: 2, oldLine: null, body: "**P3: Dead code**\n\nRemove it." },
    ]);
    expect(reviewPost([finding({ id: "f5", startLine: 4, endLine: 5, title: "Braces", body: "Fine.", suggestion: null })], PATCH, null).comments).toEqual([
      { path: "src/greet.js", line: 5, startLine: 4, oldLine: 4, body: "**P1: Braces**\n\nFine." },
    ]);
    expect(post.body).toBe(
      [
        "Patchbay review: 4 finding(s).",
        "Mostly fine.",
        "Findings on lines this pull request does not show:\n- **P2** `README.md:1` Docs: Mention it.\n- **P2** `src/greet.js:5-9` Past the hunk: Later lines.",
      ].join("\n\n"),
    );
    expect(reviewPost([], PATCH, null)).toEqual({ body: "Patchbay review: no findings.", comments: [] });
  });
});
