// `patchbay setup` (npm start and the compose file's migrate service run it) as a real process against the
// integration database: it writes the demo repository into the data directory, so a web process that may
// only read that directory (docker-compose.yml) can add the demo; a data directory it cannot write costs
// only a warning.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function setup(dataDir: string) {
  return spawnSync(path.join(root, "node_modules/.bin/tsx"), ["scripts/cli/patchbay.ts", "setup"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, PATCHBAY_DATA_DIR: dataDir },
  });
}

function head(repo: string): string {
  return execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo, encoding: "utf8" }).trim();
}

describe("patchbay setup", () => {
  it("writes the demo repository once, and keeps it on later runs", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "pb-setup-"));
    const first = setup(dataDir);
    expect(first.stderr).not.toContain("could not write the demo repository");
    expect(first.status).toBe(0);
    const repo = path.join(dataDir, "demo", "paperkite");
    expect(existsSync(path.join(repo, "locales", "en.json"))).toBe(true);
    const commit = head(repo);
    expect(execFileSync("git", ["status", "--porcelain"], { cwd: repo, encoding: "utf8" })).toBe("");

    const second = setup(dataDir);
    expect(second.status).toBe(0);
    expect(head(repo)).toBe(commit);
  }, 120_000);

  it("warns and goes on when the data directory cannot be written", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "pb-setup-")), "not-a-directory");
    writeFileSync(file, "");
    const result = setup(path.join(file, "data"));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("could not write the demo repository under");
  }, 120_000);
});
