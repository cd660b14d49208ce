import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyPatch, PatchError } from "./apply-patch";
import { createLocalPatchFileSystem } from "./local-file-system";

let base: string;
let root: string;
let outside: string;

beforeEach(async () => {
  base = await fsp.mkdtemp(path.join(os.tmpdir(), "patchbay-local-fs-"));
  root = path.join(base, "repo");
  outside = path.join(base, "outside");
  await fsp.mkdir(path.join(root, "src"), { recursive: true });
  await fsp.mkdir(outside);
  await fsp.writeFile(path.join(root, "src/a.txt"), "a\n");
  await fsp.writeFile(path.join(outside, "secret.txt"), "secret\n");
});

afterEach(async () => {
  await fsp.rm(base, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PatchError);
  return (error as PatchError).message;
}

const exists = (p: string) =>
  fsp.access(p).then(
    () => true,
    () => false,
  );

describe("createLocalPatchFileSystem", () => {
  it("reads, writes (creating parents) and deletes files under the root", async () => {
    const fs = createLocalPatchFileSystem(root);
    expect(await fs.readFile("src/a.txt")).toBe("a\n");
    expect(await fs.readFile("src/missing.txt")).toBeNull();
    expect(await fs.readFile("no/such/dir/x.txt")).toBeNull();

    await fs.writeFile("deep/new/dir/b.txt", "b\n");
    expect(await fsp.readFile(path.join(root, "deep/new/dir/b.txt"), "utf8")).toBe("b\n");

    await fs.deleteFile("src/a.txt");
    expect(await exists(path.join(root, "src/a.txt"))).toBe(false);
  });

  it("accepts a relative root", async () => {
    const fs = createLocalPatchFileSystem(path.relative(process.cwd(), root));
    expect(await fs.readFile("src/a.txt")).toBe("a\n");
  });

  it("rejects paths that leave the root lexically", async () => {
    const fs = createLocalPatchFileSystem(root);
    expect(await rejection(fs.readFile("../outside/secret.txt"))).toBe("Path is outside the working directory: ../outside/secret.txt");
    expect(await rejection(fs.writeFile(path.join(outside, "x.txt"), "x"))).toContain("Path is outside the working directory");
    expect(await rejection(fs.deleteFile("."))).toContain("Path is outside the working directory");
    expect(await exists(path.join(outside, "x.txt"))).toBe(false);
  });

  it("refuses to read or write through a directory symlink that points outside", async () => {
    await fsp.symlink(outside, path.join(root, "link"));
    const fs = createLocalPatchFileSystem(root);
    expect(await rejection(fs.readFile("link/secret.txt"))).toBe("Path resolves outside the working directory through a symlink: link/secret.txt");
    expect(await rejection(fs.writeFile("link/new/evil.txt", "x"))).toContain("outside the working directory through a symlink");
    expect(await rejection(fs.deleteFile("link/secret.txt"))).toContain("outside the working directory through a symlink");
    expect(await exists(path.join(outside, "new"))).toBe(false);
    expect(await fsp.readFile(path.join(outside, "secret.txt"), "utf8")).toBe("secret\n");
  });

  it("refuses a file symlink that points outside", async () => {
    await fsp.symlink(path.join(outside, "secret.txt"), path.join(root, "src/secret.txt"));
    const fs = createLocalPatchFileSystem(root);
    expect(await rejection(fs.readFile("src/secret.txt"))).toContain("through a symlink: src/secret.txt");
    expect(await rejection(fs.writeFile("src/secret.txt", "pwned"))).toContain("through a symlink");
    expect(await fsp.readFile(path.join(outside, "secret.txt"), "utf8")).toBe("secret\n");
  });

  it("refuses a dangling symlink, whose target could be created anywhere", async () => {
    await fsp.symlink(path.join(outside, "nope", "x.txt"), path.join(root, "dangling.txt"));
    const fs = createLocalPatchFileSystem(root);
    expect(await rejection(fs.writeFile("dangling.txt", "x"))).toBe("Refusing to write through a dangling symlink: dangling.txt");
    expect(await exists(path.join(outside, "nope"))).toBe(false);
  });

  it("allows symlinks that stay inside the root, and a root reached through a symlink", async () => {
    await fsp.symlink(path.join(root, "src"), path.join(root, "alias"));
    await fsp.symlink(root, path.join(base, "repo-link"));
    const fs = createLocalPatchFileSystem(path.join(base, "repo-link"));
    expect(await fs.readFile("alias/a.txt")).toBe("a\n");
    await fs.writeFile("alias/b.txt", "b\n");
    expect(await fsp.readFile(path.join(root, "src/b.txt"), "utf8")).toBe("b\n");
  });

  it("explains when a path is a directory or goes through a file", async () => {
    const fs = createLocalPatchFileSystem(root);
    expect(await rejection(fs.readFile("src"))).toBe("src is a directory, not a file");
    expect(await rejection(fs.readFile("src/a.txt/b.txt"))).toBe("Cannot use src/a.txt/b.txt: src/a.txt is a file, not a directory");
  });

  it("keeps applyPatch atomic when a later path escapes through a symlink", async () => {
    await fsp.symlink(outside, path.join(root, "link"));
    const fs = createLocalPatchFileSystem(root);
    const patch = ["*** Begin Patch", "*** Update File: src/a.txt", "-a", "+A", "*** Add File: link/evil.txt", "+x", "*** End Patch"].join("\n");
    expect(await rejection(applyPatch(patch, fs))).toContain("through a symlink: link/evil.txt");
    expect(await fsp.readFile(path.join(root, "src/a.txt"), "utf8")).toBe("a\n");
    expect(await exists(path.join(outside, "evil.txt"))).toBe(false);
  });
});
