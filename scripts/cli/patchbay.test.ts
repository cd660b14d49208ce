// The `patchbay` CLI as people run it (a real process): apply-patch through the dispatcher, and usage errors.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { minimalEnv } from "@/worker/repos/git";

const root = path.resolve(import.meta.dirname, "../..");

function cli(args: string[], input = "", env?: NodeJS.ProcessEnv) {
  return spawnSync(path.join(root, "node_modules/.bin/tsx"), ["scripts/cli/patchbay.ts", ...args], {
    cwd: root,
    input,
    encoding: "utf8",
    ...(env ? { env } : {}),
  });
}

describe("patchbay CLI", () => {
  it("applies a patch to --cwd and lists the files", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pb-cli-"));
    writeFileSync(path.join(dir, "a.txt"), "hello\nworld\n");
    const result = cli(["apply-patch", "--cwd", dir], "*** Begin Patch\n*** Update File: a.txt\n@@\n hello\n-world\n+there\n*** End Patch\n");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("M a.txt\n");
    expect(readFileSync(path.join(dir, "a.txt"), "utf8")).toBe("hello\nthere\n");
  });

  it("exits non-zero with the reason when the patch does not match, changing nothing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pb-cli-"));
    writeFileSync(path.join(dir, "a.txt"), "hello\n");
    const result = cli(["apply-patch", "--cwd", dir], "*** Begin Patch\n*** Update File: a.txt\n@@\n-nope\n+x\n*** End Patch\n");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Failed to find expected lines in a.txt");
    expect(readFileSync(path.join(dir, "a.txt"), "utf8")).toBe("hello\n");
  });

  it("prints usage for an unknown command", () => {
    const result = cli(["frobnicate"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: npm run patchbay -- <command>");
  }, 20_000);

  // npm start runs `patchbay setup`; a command the dispatcher forgets falls through to the usage text.
  it("dispatches setup (npm start runs it) instead of printing the usage", () => {
    const result = cli(["setup"], "", minimalEnv({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), DATABASE_URL: "not-a-url" }));
    expect(result.stderr).not.toContain("usage:");
    expect(result.stderr).toContain("DATABASE_URL must be a postgresql:// URL");
    expect(result.status).toBe(1);
  }, 20_000);
});
