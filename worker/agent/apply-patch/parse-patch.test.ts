import { describe, expect, it } from "vitest";
import { parsePatch, patchLineCounts, PatchError } from "./parse-patch";

const patch = (...body: string[]) => ["*** Begin Patch", ...body, "*** End Patch"].join("\n");

function parseError(text: string): string {
  try {
    parsePatch(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PatchError);
    return (error as PatchError).message;
  }
  throw new Error("expected parsePatch to throw");
}

describe("parsePatch", () => {
  it("parses add, delete and update with move, anchors and End of File", () => {
    const parsed = parsePatch(
      patch(
        "*** Add File: path/new.txt",
        "+line one",
        "+",
        "+line two",
        "*** Delete File: path/old.txt",
        "*** Update File: src/app.ts",
        "*** Move to: src/main.ts",
        "@@ function foo()",
        " context",
        "-old line",
        "+new line",
        " context",
        "@@",
        "-another",
        "+change",
        "*** End of File",
      ),
    );
    expect(parsed.operations).toEqual([
      { type: "add", path: "path/new.txt", lines: ["line one", "", "line two"] },
      { type: "delete", path: "path/old.txt" },
      {
        type: "update",
        path: "src/app.ts",
        moveTo: "src/main.ts",
        hunks: [
          {
            anchors: ["function foo()"],
            lines: [
              { kind: "context", text: "context" },
              { kind: "remove", text: "old line" },
              { kind: "add", text: "new line" },
              { kind: "context", text: "context" },
            ],
            oldLines: ["context", "old line", "context"],
            newLines: ["context", "new line", "context"],
            isEndOfFile: false,
            patchLine: 9,
          },
          {
            anchors: [],
            lines: [
              { kind: "remove", text: "another" },
              { kind: "add", text: "change" },
            ],
            oldLines: ["another"],
            newLines: ["change"],
            isEndOfFile: true,
            patchLine: 14,
          },
        ],
      },
    ]);
  });

  it("allows the first hunk to omit its @@ line", () => {
    const parsed = parsePatch(patch("*** Update File: a.txt", "-x", "+y"));
    const op = parsed.operations[0];
    expect(op?.type === "update" && op.hunks.map((h) => [h.anchors, h.oldLines, h.newLines])).toEqual([[[], ["x"], ["y"]]]);
  });

  it("collects consecutive @@ lines as nested anchors", () => {
    const parsed = parsePatch(patch("*** Update File: a.py", "@@ class A", "@@     def run(self):", "-  pass", "+  return 1"));
    const op = parsed.operations[0];
    expect(op?.type === "update" && op.hunks[0]?.anchors).toEqual(["class A", "def run(self):"]);
  });

  it("treats a unified-diff hunk header as a plain @@ with the trailing text as anchor", () => {
    const parsed = parsePatch(patch("*** Update File: a.ts", "@@ -10,3 +10,4 @@ function foo() {", "-a", "+b", "@@ -20 +21 @@", "-c", "+d"));
    const op = parsed.operations[0];
    expect(op?.type === "update" && op.hunks.map((h) => h.anchors)).toEqual([["function foo() {"], []]);
  });

  it("treats an empty line inside a hunk as an empty context line but drops blank separators before the next header", () => {
    const parsed = parsePatch(patch("*** Update File: a.txt", "@@", " a", "", "-b", "+c", "", "", "*** Delete File: d.txt"));
    const op = parsed.operations[0];
    expect(op?.type === "update" && [op.hunks[0]?.oldLines, op.hunks[0]?.newLines]).toEqual([
      ["a", "", "b"],
      ["a", "", "c"],
    ]);
    expect(parsed.operations[1]).toEqual({ type: "delete", path: "d.txt" });
  });

  it("keeps trailing empty context lines before *** End of File", () => {
    const parsed = parsePatch(patch("*** Update File: a.txt", "@@", "-x", "+y", "", "*** End of File"));
    const op = parsed.operations[0];
    expect(op?.type === "update" && op.hunks[0]?.oldLines).toEqual(["x", ""]);
  });

  it("accepts a pure rename without hunks and ignores a move onto the same path", () => {
    expect(parsePatch(patch("*** Update File: a.txt", "*** Move to: b.txt")).operations).toEqual([
      { type: "update", path: "a.txt", moveTo: "b.txt", hunks: [] },
    ]);
    const same = parsePatch(patch("*** Update File: a.txt", "*** Move to: ./a.txt", "-x", "+y")).operations[0];
    expect(same?.type === "update" && same.moveTo).toBeNull();
  });

  it("accepts an Add File with no lines (an empty file)", () => {
    expect(parsePatch(patch("*** Add File: empty.txt")).operations).toEqual([{ type: "add", path: "empty.txt", lines: [] }]);
  });

  it("tolerates CRLF patches, surrounding whitespace and heredoc wrappers", () => {
    const expected = [{ type: "delete", path: "a.txt" }];
    const body = patch("*** Delete File: a.txt");
    expect(parsePatch(`\n\n  ${body.replaceAll("\n", "\r\n")}  \r\n\n`).operations).toEqual(expected);
    expect(parsePatch(`<<'EOF'\n${body}\nEOF\n`).operations).toEqual(expected);
    expect(parsePatch(`<<"PATCH"\n${body}\nPATCH`).operations).toEqual(expected);
    expect(parsePatch(`<<EOF\n${body}\nEOF`).operations).toEqual(expected);
    expect(parsePatch(`apply_patch <<'EOF'\n${body}\nEOF`).operations).toEqual(expected);
  });

  it("normalises paths", () => {
    const parsed = parsePatch(patch("*** Delete File:   ./src//a.ts  ", "*** Add File:b/./c.txt", "+x"));
    expect(parsed.operations.map((op) => op.path)).toEqual(["src/a.ts", "b/c.txt"]);
  });

  describe("errors", () => {
    it.each([
      ["", "Patch is empty"],
      ["   \n\n\t", "Patch is empty"],
      [`<<'EOF'\nEOF`, "Patch is empty"],
      [patch(), 'Patch is empty: no file operations between "*** Begin Patch" and "*** End Patch"'],
      [patch("", "  "), "Patch is empty: no file operations"],
      ["*** Update File: a.txt\n-x\n+y\n*** End Patch", 'Invalid patch: line 1: the patch must start with "*** Begin Patch", got "*** Update File: a.txt"'],
      [
        "*** Begin Patch\n*** Delete File: a.txt",
        'Invalid patch: line 2: the patch must end with "*** End Patch" as its last line, got "*** Delete File: a.txt"',
      ],
      ["*** Begin Patch", 'Invalid patch: line 1: the patch must end with "*** End Patch" as its last line'],
      [`<<'EOF'\n${patch("*** Delete File: a")}`, `the patch starts with heredoc "<<'EOF'" but its last line is not "EOF"`],
      [patch("foo"), 'Invalid patch: line 2: expected "*** Add File:", "*** Update File:" or "*** Delete File:", got "foo"'],
      [patch("*** Delete File: a", "*** End Patch", "*** Delete File: b"), 'line 3: "*** End Patch" must be the last line'],
      [patch("*** Begin Patch", "*** Delete File: b"), 'line 2: unexpected second "*** Begin Patch"'],
      [patch("*** Move to: b.txt"), 'line 2: "*** Move to:" must come directly after an "*** Update File:" line'],
      [patch("*** Update File: a", "-x", "+y", "*** Move to: b"), 'line 5: "*** Move to:" must come directly after the "*** Update File: a" line'],
      [patch("*** Update File: a"), 'line 2: "*** Update File: a" has no hunks'],
      [patch("*** Update File: a", "", "*** Delete File: b"), 'line 2: "*** Update File: a" has no hunks'],
      [patch("*** Update File: a", "@@ foo", "*** Delete File: b"), 'line 3: hunk "@@ foo" in a has no lines before line 4'],
      [patch("*** Update File: a", "-x", "@@", "@@ bar"), 'line 4: hunk "@@ bar" in a has no lines'],
      [
        patch("*** Update File: a", " x", "oops", "+y"),
        'line 4: unexpected line in update of a: "oops". Hunk lines must start with " " (context), "-" (remove) or "+" (add)',
      ],
      [patch("*** Update File: a", "@@", "*** End of File"), 'line 4: "*** End of File" must directly follow the last line of an update hunk'],
      [patch("*** End of File"), 'line 2: "*** End of File" must directly follow'],
      [
        patch("*** Update File: a", "-x", "*** End of File", "+y"),
        'line 5: expected "@@" to start a new hunk or a file header after "*** End of File", got "+y"',
      ],
      [
        patch("*** Update File: a", "-x", "*** Frobnicate: b"),
        'line 4: expected "*** Add File:", "*** Update File:" or "*** Delete File:", got "*** Frobnicate: b"',
      ],
      [patch("*** Add File: a", "+x", "y"), 'line 4: every line of an added file (a, from line 2) must start with "+", got "y"'],
      [patch("*** Add File: a", "+x", "", "+y"), 'line 4: empty line inside added file a; write an empty line of the file as a lone "+"'],
      [patch("*** Add File:", "+x"), 'line 2: missing file path after "*** Add File:"'],
      [patch("*** Update File: a", "*** Move to:  "), 'line 3: missing file path after "*** Move to:"'],
    ])("%j → %s", (text, message) => {
      expect(parseError(text)).toContain(message);
    });

    it("reports line numbers of the original text, counting leading blank lines and the heredoc line", () => {
      expect(parseError(`\n\n<<'EOF'\n${patch("bad")}\nEOF`)).toMatch(/^Invalid patch: line 5: /);
    });
  });

  describe("path safety", () => {
    it.each([
      ["/etc/passwd", "paths must be relative to the repository root, not absolute"],
      ["C:/Windows/x", "not absolute"],
      ["~/x", "not absolute"],
      ["../outside.txt", '".." segments are not allowed'],
      ["src/../../x", '".." segments are not allowed'],
      ["src/..", '".." segments are not allowed'],
      [".git/config", "files inside .git/ cannot be changed"],
      ["sub/.git/hooks/pre-commit", "files inside .git/ cannot be changed"],
      [".GIT/HEAD", "files inside .git/ cannot be changed"],
      [".git", "files inside .git/ cannot be changed"],
      ["src\\a.ts", "use forward slashes"],
      ["src/", "names a directory"],
      [".", "names the repository root"],
      ["a\0b", "NUL"],
    ])("rejects %j", (bad, why) => {
      for (const header of ["*** Add File: ", "*** Delete File: ", "*** Update File: "]) {
        const message = parseError(patch(header + bad, "+x"));
        expect(message).toContain(`Invalid patch: line 2: invalid path ${JSON.stringify(bad)}: `);
        expect(message).toContain(why);
      }
      expect(parseError(patch("*** Update File: ok.txt", `*** Move to: ${bad}`, "-a", "+b"))).toContain(`line 3: invalid path ${JSON.stringify(bad)}`);
    });

    it("accepts names that merely contain dots or .git as a substring", () => {
      const parsed = parsePatch(patch("*** Delete File: ..foo/a..b", "*** Delete File: .gitignore", "*** Delete File: x.git/y"));
      expect(parsed.operations.map((op) => op.path)).toEqual(["..foo/a..b", ".gitignore", "x.git/y"]);
    });
  });
});

describe("patchLineCounts", () => {
  it("counts added and removed lines per operation, reporting moves under the new path", () => {
    const parsed = parsePatch(
      patch(
        "*** Add File: new.txt",
        "+a",
        "+b",
        "*** Delete File: gone.txt",
        "*** Update File: src/a.ts",
        "*** Move to: src/b.ts",
        "@@",
        " keep",
        "-old1",
        "-old2",
        "+new1",
        "@@",
        "+added",
        "*** Update File: c.txt",
        "-x",
      ),
    );
    expect(patchLineCounts(parsed)).toEqual([
      { path: "new.txt", added: 2, removed: 0 },
      { path: "gone.txt", added: 0, removed: 0 },
      { path: "src/b.ts", added: 2, removed: 2 },
      { path: "c.txt", added: 0, removed: 1 },
    ]);
  });
});
