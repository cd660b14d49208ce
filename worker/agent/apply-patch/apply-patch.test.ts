import { describe, expect, it } from "vitest";
import { applyPatch, formatPatchSummary, PatchError, seekSequence, type PatchFileSystem } from "./apply-patch";
import { PatchError as ParsePatchError } from "./parse-patch";

type Call = { op: "read" | "write" | "delete"; path: string };

/** In-memory PatchFileSystem that records every call, optionally failing writes to some paths. */
function memoryFs(initial: Record<string, string>, options: { failWrite?: string[] } = {}) {
  const files = new Map(Object.entries(initial));
  const calls: Call[] = [];
  const fs: PatchFileSystem = {
    async readFile(path) {
      calls.push({ op: "read", path });
      return files.get(path) ?? null;
    },
    async writeFile(path, content) {
      calls.push({ op: "write", path });
      if (options.failWrite?.includes(path)) throw new Error("disk full");
      files.set(path, content);
    },
    async deleteFile(path) {
      calls.push({ op: "delete", path });
      files.delete(path);
    },
  };
  return { fs, files, calls, snapshot: () => Object.fromEntries([...files].sort(([a], [b]) => a.localeCompare(b))) };
}

const patch = (...body: string[]) => ["*** Begin Patch", ...body, "*** End Patch"].join("\n");

async function applyError(text: string, fs: PatchFileSystem): Promise<string> {
  const error = await applyPatch(text, fs).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PatchError);
  return (error as PatchError).message;
}

/** Applies a single-file update and returns the new content. */
async function update(content: string, ...body: string[]): Promise<string> {
  const m = memoryFs({ "f.txt": content });
  await applyPatch(patch("*** Update File: f.txt", ...body), m.fs);
  return m.files.get("f.txt") ?? "<deleted>";
}

describe("applyPatch", () => {
  it("re-exports the parser's PatchError class", () => {
    expect(PatchError).toBe(ParsePatchError);
    expect(new PatchError("x")).toBeInstanceOf(Error);
    expect(new PatchError("x").name).toBe("PatchError");
  });

  it("adds, deletes, updates and moves files and returns a summary", async () => {
    const m = memoryFs({
      "path/old.txt": "bye\n",
      "src/app.ts": "function foo() {\n  return 1;\n}\n\nexport { foo };\n",
      "b.txt": "one\ntwo\n",
    });
    const summary = await applyPatch(
      patch(
        "*** Add File: path/new.txt",
        "+line one",
        "+line two",
        "*** Delete File: path/old.txt",
        "*** Update File: src/app.ts",
        "*** Move to: src/main.ts",
        "@@ function foo() {",
        "-  return 1;",
        "+  return 2;",
        "*** Update File: b.txt",
        " one",
        "-two",
        "+three",
      ),
      m.fs,
    );
    expect(summary).toEqual({
      added: ["path/new.txt"],
      updated: ["b.txt"],
      deleted: ["path/old.txt"],
      moved: [{ from: "src/app.ts", to: "src/main.ts" }],
    });
    expect(m.snapshot()).toEqual({
      "b.txt": "one\nthree\n",
      "path/new.txt": "line one\nline two\n",
      "src/main.ts": "function foo() {\n  return 2;\n}\n\nexport { foo };\n",
    });
  });

  it("creates an empty file from an Add File without lines", async () => {
    const m = memoryFs({});
    await applyPatch(patch("*** Add File: e.txt"), m.fs);
    expect(m.files.get("e.txt")).toBe("");
  });

  it("applies several hunks in order", async () => {
    const before = `${["a", "b", "c", "d", "e", "f", "g"].join("\n")}\n`;
    const after = await update(before, "@@", " a", "-b", "+B", "@@", "-e", "+E1", "+E2", " f", "@@", "-g");
    expect(after).toBe("a\nB\nc\nd\nE1\nE2\nf\n");
  });

  it("searches each hunk after the previous one, so repeated lines are matched in order", async () => {
    const after = await update("x\nx\nx\n", "@@", "-x", "+1", "@@", "-x", "+2");
    expect(after).toBe("1\n2\nx\n");
  });

  it("uses @@ anchors to pick the right occurrence", async () => {
    const before = "function a() {\n  return 0;\n}\nfunction b() {\n  return 0;\n}\n";
    expect(await update(before, "@@ function b() {", "-  return 0;", "+  return 2;")).toBe("function a() {\n  return 0;\n}\nfunction b() {\n  return 2;\n}\n");
  });

  it("nests repeated anchors", async () => {
    const before = ["class A:", "  def run(self):", "    pass", "class B:", "  def stop(self):", "    pass", "  def run(self):", "    pass", ""].join("\n");
    const after = await update(before, "@@ class B:", "@@   def run(self):", "-    pass", "+    return 1");
    expect(after).toBe(
      ["class A:", "  def run(self):", "    pass", "class B:", "  def stop(self):", "    pass", "  def run(self):", "    return 1", ""].join("\n"),
    );
  });

  it("lets the hunk start at the anchor line itself", async () => {
    const after = await update("a\nfunction foo() {\n  x;\n}\n", "@@ function foo() {", " function foo() {", "-  x;", "+  y;");
    expect(after).toBe("a\nfunction foo() {\n  y;\n}\n");
  });

  it("inserts pure additions after the anchor, or at the end of the file without one", async () => {
    expect(await update("a\nb\nc\n", "@@ a", "+a2")).toBe("a\na2\nb\nc\n");
    expect(await update("a\nb\n", "@@", "+c")).toBe("a\nb\nc\n");
    expect(await update("a\nb", "+c")).toBe("a\nb\nc\n");
  });

  it('applies an addition whose blank lines lost their "+" as one addition (Codex applies it)', async () => {
    // The blank is not looked for in the file: the block goes where a pure addition goes.
    expect(await update("a\nb\n", "+x", "", "+y")).toBe("a\nb\nx\n\ny\n");
    expect(await update("def f():\n    pass\n\nx = 1\n", "@@ def f():", "+    y = 1", "", "+    z = 2")).toBe(
      "def f():\n    y = 1\n\n    z = 2\n    pass\n\nx = 1\n",
    );
  });

  it("reports an anchor that cannot be found", async () => {
    const m = memoryFs({ "f.txt": "a\nb\n" });
    expect(await applyError(patch("*** Update File: f.txt", "@@ nope", "-a", "+b"), m.fs)).toBe(
      'Failed to find anchor "@@ nope" in f.txt (hunk at patch line 3)',
    );
    // Nested anchors are searched after the previous anchor.
    expect(await applyError(patch("*** Update File: f.txt", "@@ b", "@@ a", "-a", "+b"), m.fs)).toBe(
      'Failed to find anchor "@@ a" in f.txt after line 2 (hunk at patch line 3)',
    );
  });

  describe("*** End of File", () => {
    const before = "x\ny\nx\n";
    it("matches only at the end of the file", async () => {
      expect(await update(before, "@@", "-x", "+z", "*** End of File")).toBe("x\ny\nz\n");
      // The same hunk without the marker changes the first occurrence.
      expect(await update(before, "@@", "-x", "+z")).toBe("z\ny\nx\n");
    });

    it("fails when the lines are not at the end", async () => {
      const m = memoryFs({ "f.txt": before });
      expect(await applyError(patch("*** Update File: f.txt", "@@", "-y", "+z", "*** End of File"), m.fs)).toBe(
        "Failed to find expected lines at the end of f.txt:\ny",
      );
    });

    it("appends pure additions at the end even with an anchor", async () => {
      expect(await update("a\nb\n", "@@ a", "+c", "*** End of File")).toBe("a\nb\nc\n");
    });
  });

  describe("fuzzy context matching", () => {
    it("prefers an exact match anywhere over a fuzzy match earlier in the file", async () => {
      expect(await update("foo  \nfoo\n", "-foo", "+bar")).toBe("foo  \nbar\n");
    });

    it("keeps the file's own text for fuzzily matched context lines", async () => {
      expect(await update("\tkeep me  \nold\n", " keep me", "-old", "+new")).toBe("\tkeep me  \nnew\n");
    });

    it("ignores trailing whitespace", async () => {
      expect(await update("a  \nb\t\n", " a", "-b", "+c")).toBe("a  \nc\n");
    });

    it("ignores leading and trailing whitespace", async () => {
      expect(await update("    if (x) {\n      go();\n", " if (x) {", "-go();", "+      stop();")).toBe("    if (x) {\n      stop();\n");
    });

    it("tries each level over the whole file before the next, looser one", async () => {
      // trailing-whitespace level (second line) beats the leading-whitespace level (first line)
      expect(await update("  x\nx  \n", "-x", "+y")).toBe("  x\ny\n");
      // trimmed level (second line) beats the punctuation level (first line)
      expect(await update('\u201Ca\u201D\n  "a"\n', '-"a"', "+b")).toBe("\u201Ca\u201D\nb\n");
    });

    it("normalises Unicode punctuation", async () => {
      const before = "const s = \u201Chello\u201D; // it\u2019s \u2014 fine\u00A0ok\nnext\n";
      expect(await update(before, ` const s = "hello"; // it's - fine ok`, "-next", "+done")).toBe(
        "const s = \u201Chello\u201D; // it\u2019s \u2014 fine\u00A0ok\ndone\n",
      );
      // And the other way round: fancy punctuation in the patch, ASCII in the file.
      expect(await update("say('hi') -- now\n", "-say(\u2018hi\u2019) \u2013\u2011 now", "+done")).toBe("done\n");
    });

    it("does not match lines that differ in content", async () => {
      const m = memoryFs({ "f.txt": "a b\n" });
      expect(await applyError(patch("*** Update File: f.txt", "-ab", "+c"), m.fs)).toBe("Failed to find expected lines in f.txt:\nab");
    });

    it("retries without a trailing empty context line", async () => {
      expect(await update("a\nb", " a", "-b", "+c", " ")).toBe("a\nc\n");
    });

    it("exposes seekSequence levels", () => {
      const lines = ["  x", "y "];
      expect(seekSequence(lines, ["  x", "y "], 0, false)).toBe(0);
      expect(seekSequence(lines, ["x", "y"], 0, false)).toBe(0);
      expect(seekSequence(lines, ["x"], 1, false)).toBeNull();
      expect(seekSequence(lines, ["y"], 0, true)).toBe(1);
      expect(seekSequence(lines, ["x"], 0, true)).toBeNull();
      expect(seekSequence(lines, ["x", "y", "z"], 0, false)).toBeNull();
    });
  });

  describe("line endings", () => {
    it("preserves CRLF line endings, including for new lines", async () => {
      expect(await update("a\r\nb\r\nc\r\n", " a", "-b", "+B1", "+B2")).toBe("a\r\nB1\r\nB2\r\nc\r\n");
    });

    it("preserves each untouched line's own ending in a mixed file", async () => {
      expect(await update("a\r\nb\nc\r\nd\r\n", "@@", " c", "-d", "+e")).toBe("a\r\nb\nc\r\ne\r\n");
      // Context lines inside a hunk keep their ending too; new lines get the dominant one.
      expect(await update("a\nb\r\nc\n", " a", " b", "-c", "+d")).toBe("a\nb\r\nd\n");
    });

    it("accepts a CRLF patch against an LF file", async () => {
      const m = memoryFs({ "f.txt": "a\nb\n" });
      await applyPatch(patch("*** Update File: f.txt", " a", "-b", "+c").replaceAll("\n", "\r\n"), m.fs);
      expect(m.files.get("f.txt")).toBe("a\nc\n");
    });

    it("ends an updated file with a newline, in the file's own line ending, as Codex does", async () => {
      expect(await update("a\nb", " a", "-b", "+c")).toBe("a\nc\n");
      expect(await update("a\r\nb", " a", "-b", "+c", "+d")).toBe("a\r\nc\r\nd\r\n");
      expect(await update("a\nb", " b", "+c")).toBe("a\nb\nc\n");
      expect(await update("a\nb", " a", "-b")).toBe("a\n");
    });

    it("keeps a trailing newline present", async () => {
      expect(await update("a\nb\n", " a", "-b")).toBe("a\n");
      expect(await update("a\n", "-a")).toBe("");
    });

    it("updates an empty file", async () => {
      expect(await update("", "+hello")).toBe("hello\n");
    });

    it("preserves a UTF-8 byte order mark even when the first line changes", async () => {
      expect(await update("\uFEFFa\nb\n", "-a", "+z")).toBe("\uFEFFz\nb\n");
    });
  });

  describe("errors", () => {
    it("reports lines that cannot be found", async () => {
      const m = memoryFs({ "src/app.ts": "const a = 1;\n" });
      expect(await applyError(patch("*** Update File: src/app.ts", " const a = 1;", "-const b = 2;", "+const b = 3;"), m.fs)).toBe(
        "Failed to find expected lines in src/app.ts:\nconst a = 1;\nconst b = 2;",
      );
    });

    it("hints when the lines exist only before where the hunk was searched", async () => {
      const m = memoryFs({ "f.txt": "a\nb\nc\n" });
      const message = await applyError(patch("*** Update File: f.txt", "@@", "-c", "+C", "@@", "-a", "+A"), m.fs);
      expect(message).toBe(
        "Failed to find expected lines in f.txt:\na\n" +
          '(These lines occur before line 4, where the search for this hunk started; hunks must be in file order and below their "@@" anchors.)',
      );
    });

    it.each([
      [patch("*** Update File: missing.txt", "-a", "+b"), "File to update does not exist: missing.txt"],
      [patch("*** Delete File: missing.txt"), "File to delete does not exist: missing.txt"],
      [patch("*** Delete File: exists.txt", "*** Update File: exists.txt", "-x", "+y"), "File to update does not exist: exists.txt"],
      ["not a patch", 'Invalid patch: line 1: the patch must start with "*** Begin Patch", got "not a patch"'],
    ])("%j → %s", async (text, message) => {
      const m = memoryFs({ "exists.txt": "x\n", "other.txt": "o\n" });
      expect(await applyError(text, m.fs)).toBe(message);
      expect(m.calls.filter((c) => c.op !== "read")).toEqual([]);
    });

    it("replaces an existing file on Add File and on Move to, as Codex does; the summary says it was updated", async () => {
      const m = memoryFs({ "exists.txt": "old\n", "other.txt": "o\n", "target.txt": "t\n" });
      const summary = await applyPatch(
        patch("*** Add File: exists.txt", "+new", "*** Update File: other.txt", "*** Move to: target.txt", "@@", "-o", "+moved"),
        m.fs,
      );
      expect(m.snapshot()).toEqual({ "exists.txt": "new\n", "target.txt": "moved\n" });
      expect(summary).toMatchObject({ added: [], updated: ["exists.txt"], moved: [{ from: "other.txt", to: "target.txt" }] });
    });

    it("wraps read failures in a PatchError", async () => {
      const fs: PatchFileSystem = {
        readFile: async () => {
          throw new Error("EACCES: permission denied");
        },
        writeFile: async () => {},
        deleteFile: async () => {},
      };
      expect(await applyError(patch("*** Delete File: a.txt"), fs)).toBe("Failed to read a.txt: EACCES: permission denied");
    });

    it("says which changes were already made when a write fails", async () => {
      const m = memoryFs({ "a.txt": "a\n", "b.txt": "b\n" }, { failWrite: ["b.txt"] });
      const message = await applyError(patch("*** Update File: a.txt", "-a", "+A", "*** Update File: b.txt", "-b", "+B"), m.fs);
      expect(message).toBe("Failed to write b.txt (changes already applied: wrote a.txt): disk full");
      const first = memoryFs({ "b.txt": "b\n" }, { failWrite: ["b.txt"] });
      expect(await applyError(patch("*** Update File: b.txt", "-b", "+B"), first.fs)).toBe("Failed to write b.txt (no files were changed): disk full");
    });
  });

  describe("atomicity", () => {
    it("leaves earlier files untouched when a later hunk does not match", async () => {
      const m = memoryFs({ "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n" });
      const text = patch(
        "*** Add File: new.txt",
        "+n",
        "*** Update File: a.txt",
        "-a",
        "+A",
        "*** Delete File: c.txt",
        "*** Update File: b.txt",
        "-nope",
        "+B",
      );
      expect(await applyError(text, m.fs)).toBe("Failed to find expected lines in b.txt:\nnope");
      expect(m.snapshot()).toEqual({ "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n" });
      expect(m.calls.filter((c) => c.op !== "read")).toEqual([]);
    });

    it("reads nothing when the patch is malformed or a path is unsafe", async () => {
      const m = memoryFs({ "a.txt": "a\n" });
      await applyError(patch("*** Update File: a.txt", "-a", "+A", "*** Delete File: ../x"), m.fs);
      await applyError(patch("*** Update File: a.txt", "-a", "+A", "garbage"), m.fs);
      expect(m.calls).toEqual([]);
    });

    it("writes before deleting, so a failed write during a move keeps the source", async () => {
      const m = memoryFs({ "a.txt": "a\n" }, { failWrite: ["b.txt"] });
      await applyError(patch("*** Update File: a.txt", "*** Move to: b.txt"), m.fs);
      expect(m.snapshot()).toEqual({ "a.txt": "a\n" });
    });
  });

  describe("operations in sequence", () => {
    it("allows replacing a file by deleting and re-adding it", async () => {
      const m = memoryFs({ "a.txt": "old\n" });
      const summary = await applyPatch(patch("*** Delete File: a.txt", "*** Add File: a.txt", "+new"), m.fs);
      expect(summary).toEqual({ added: ["a.txt"], updated: [], deleted: ["a.txt"], moved: [] });
      expect(m.snapshot()).toEqual({ "a.txt": "new\n" });
      expect(m.calls.filter((c) => c.op !== "read")).toEqual([{ op: "write", path: "a.txt" }]);
    });

    it("applies two updates of the same file one after the other", async () => {
      const m = memoryFs({ "a.txt": "1\n2\n" });
      await applyPatch(patch("*** Update File: a.txt", "-1", "+one", "*** Update File: a.txt", "-one", "+uno"), m.fs);
      expect(m.snapshot()).toEqual({ "a.txt": "uno\n2\n" });
    });

    it("moves without hunks and writes/deletes exactly once", async () => {
      const m = memoryFs({ "dir/a.txt": "a\r\nb" });
      const summary = await applyPatch(patch("*** Update File: dir/a.txt", "*** Move to: other/b.txt"), m.fs);
      expect(summary.moved).toEqual([{ from: "dir/a.txt", to: "other/b.txt" }]);
      expect(m.snapshot()).toEqual({ "other/b.txt": "a\r\nb\r\n" });
      expect(m.calls.filter((c) => c.op !== "read")).toEqual([
        { op: "write", path: "other/b.txt" },
        { op: "delete", path: "dir/a.txt" },
      ]);
    });

    it("does not rewrite a file whose content did not change", async () => {
      const m = memoryFs({ "a.txt": "a\n" });
      await applyPatch(patch("*** Update File: a.txt", " a"), m.fs);
      expect(m.calls.filter((c) => c.op !== "read")).toEqual([]);
    });

    it("reads each path only once", async () => {
      const m = memoryFs({ "a.txt": "1\n" });
      await applyPatch(patch("*** Update File: a.txt", "-1", "+2", "*** Update File: a.txt", "-2", "+3"), m.fs);
      expect(m.calls.filter((c) => c.op === "read")).toEqual([{ op: "read", path: "a.txt" }]);
    });
  });
});

describe("formatPatchSummary", () => {
  it("prints one line per change", () => {
    expect(
      formatPatchSummary({
        added: ["docs/new.md"],
        updated: ["src/a.ts", "src/b.ts"],
        deleted: ["old.txt"],
        moved: [{ from: "a.ts", to: "b.ts" }],
      }),
    ).toBe("A docs/new.md\nM src/a.ts\nM src/b.ts\nD old.txt\nR a.ts -> b.ts");
    expect(formatPatchSummary({ added: [], updated: [], deleted: [], moved: [] })).toBe("");
  });
});
