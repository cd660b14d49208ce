import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyPatchCommand } from "@/scripts/cli/apply-patch-command";

let dir: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "patchbay-apply-patch-cli-"));
  await fsp.mkdir(path.join(dir, "src"));
  await fsp.writeFile(path.join(dir, "src/a.ts"), "export const a = 1;\r\nexport const b = 2;\r\n");
  await fsp.writeFile(path.join(dir, "old.txt"), "old\n");
  await fsp.writeFile(path.join(dir, "a.ts"), "moved\n");
});

afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function run(argv: string[], stdin: string | Buffer[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (d: Buffer) => out.push(d.toString()));
  stderr.on("data", (d: Buffer) => err.push(d.toString()));
  const code = await applyPatchCommand(argv, { stdin: Readable.from(typeof stdin === "string" ? [stdin] : stdin), stdout, stderr });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const read = (p: string) => fsp.readFile(path.join(dir, p), "utf8");
const exists = (p: string) =>
  fsp.access(path.join(dir, p)).then(
    () => true,
    () => false,
  );

const fullPatch = [
  "*** Begin Patch",
  "*** Add File: docs/new.md",
  "+# New",
  "*** Update File: src/a.ts",
  "@@",
  " export const a = 1;",
  "-export const b = 2;",
  "+export const b = 3;",
  "*** Delete File: old.txt",
  "*** Update File: a.ts",
  "*** Move to: b.ts",
  "*** End Patch",
  "",
].join("\n");

describe("applyPatchCommand", () => {
  it("applies a patch from stdin in --cwd and prints the summary", async () => {
    const result = await run(["--cwd", dir], fullPatch);
    expect(result).toEqual({ code: 0, stdout: "A docs/new.md\nM src/a.ts\nD old.txt\nR a.ts -> b.ts\n", stderr: "" });
    expect(await read("docs/new.md")).toBe("# New\n");
    expect(await read("src/a.ts")).toBe("export const a = 1;\r\nexport const b = 3;\r\n");
    expect(await exists("old.txt")).toBe(false);
    expect(await exists("a.ts")).toBe(false);
    expect(await read("b.ts")).toBe("moved\n");
  });

  it("accepts --cwd=DIR, a relative --cwd, and stdin split inside a multi-byte character", async () => {
    const bytes = Buffer.from("*** Begin Patch\n*** Add File: u.txt\n+caf\u00e9\n*** End Patch\n");
    const split = bytes.indexOf(0xa9); // second byte of "é"
    const result = await run([`--cwd=${path.relative(process.cwd(), dir)}`], [bytes.subarray(0, split), bytes.subarray(split)]);
    expect(result).toEqual({ code: 0, stdout: "A u.txt\n", stderr: "" });
    expect(await read("u.txt")).toBe("caf\u00e9\n");
  });

  it("reports a PatchError on stderr with exit code 1 and changes nothing", async () => {
    const bad = fullPatch.replace("-export const b = 2;", "-export const b = 9;");
    const result = await run(["--cwd", dir], bad);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "apply-patch: Failed to find expected lines in src/a.ts:\nexport const a = 1;\nexport const b = 9;\n",
    });
    expect(await exists("docs")).toBe(false);
    expect(await exists("old.txt")).toBe(true);
    expect(await exists("a.ts")).toBe(true);
  });

  it("reports malformed and unsafe patches", async () => {
    expect(await run(["--cwd", dir], "")).toEqual({ code: 1, stdout: "", stderr: "apply-patch: Patch is empty\n" });
    const escape = await run(["--cwd", dir], "*** Begin Patch\n*** Delete File: ../x\n*** End Patch\n");
    expect(escape.code).toBe(1);
    expect(escape.stderr).toMatch(/^apply-patch: Invalid patch: line 2: invalid path "\.\.\/x": /);
  });

  it("uses process.cwd() when --cwd is not given", async () => {
    const name = `patchbay-missing-${process.pid}-${Date.now()}.txt`;
    const result = await run([], `*** Begin Patch\n*** Delete File: ${name}\n*** End Patch\n`);
    expect(result).toEqual({ code: 1, stdout: "", stderr: `apply-patch: File to delete does not exist: ${name}\n` });
  });

  it.each([
    [["--force"], "unknown option: --force"],
    [["-C", "x"], "unknown option: -C"],
    [["patch.txt"], "unexpected argument: patch.txt"],
    [["--cwd"], "--cwd needs a directory"],
    [["--cwd="], "--cwd needs a directory"],
    [["--cwd", "a", "--cwd", "b"], "--cwd given more than once"],
  ])("exits 2 with usage for %j", async (argv, message) => {
    const result = await run(argv, fullPatch);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `apply-patch: ${message}\nusage: patchbay apply-patch [--cwd DIR] < patch.txt\n`,
    });
  });

  it("exits 1 when --cwd is not a directory", async () => {
    const missing = path.join(dir, "nope");
    expect(await run(["--cwd", missing], fullPatch)).toEqual({ code: 1, stdout: "", stderr: `apply-patch: not a directory: ${missing}\n` });
    expect(await exists("docs")).toBe(false);
  });
});
