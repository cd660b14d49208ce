// A small real git repository on disk for tests (served as file://), built with the host's git.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export type FixtureRepo = { dir: string; url: string; baseCommit: string };

const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Fixture",
  GIT_AUTHOR_EMAIL: "fixture@example.com",
  GIT_COMMITTER_NAME: "Fixture",
  GIT_COMMITTER_EMAIL: "fixture@example.com",
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, env: gitEnv, encoding: "utf8" }).trim();
}

export function createFixtureRepo(files: Record<string, string> = defaultFiles()): FixtureRepo {
  const dir = mkdtempSync(path.join(tmpdir(), "patchbay-fixture-"));
  git(dir, "init", "-q", "-b", "main");
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "initial");
  git(dir, "branch", "feature/other");
  return { dir, url: `file://${dir}`, baseCommit: git(dir, "rev-parse", "HEAD") };
}

export function defaultFiles(): Record<string, string> {
  return {
    "README.md": "# Fixture app\n\nA tiny repository used by Patchbay's tests.\n",
    "src/greet.js": 'export function greet(name) {\n  return "Hello, " + name;\n}\n',
    "AGENTS.md": "Run `node --test` before finishing.\n",
  };
}
