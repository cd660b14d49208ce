// Which files copy mode reads from a repository: a real git repository on disk, read as the worker reads
// its mirror (ls-tree + cat-file).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readCopyFiles } from "./copy-files";

function git(dir: string, ...args: string[]): string {
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
  };
  return execFileSync("git", args, { cwd: dir, env, encoding: "utf8" }).trim();
}

describe("readCopyFiles", () => {
  it("reads a source-language catalog far larger than any component, and skips generated-size scripts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pb-copy-files-"));
    git(dir, "init", "-q", "-b", "main");
    const messages = Object.fromEntries(Array.from({ length: 15_000 }, (_, i) => [`key${i}`, `Message number ${i} for the people`]));
    const files: Record<string, string> = {
      "locales/en.json": JSON.stringify(messages, null, 2),
      "locales/sq.json": JSON.stringify({ key0: "Mesazh" }),
      "src/generated.tsx": `export const Big = () => <p>${"x".repeat(700 * 1024)}</p>;\n`,
      "src/page.tsx": "export default () => <h1>Hello</h1>;\n",
    };
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "init");
    expect((files["locales/en.json"] ?? "").length).toBeGreaterThan(600 * 1024);

    const read = await readCopyFiles(dir, git(dir, "rev-parse", "HEAD"));
    expect(read.map((file) => file.path).sort()).toEqual(["locales/en.json", "locales/sq.json", "src/page.tsx"]);
  });

  it("leaves out the developers' docs/ unless a docs site of the repository renders it", async () => {
    const commitOf = (files: Record<string, string>): { dir: string; commit: string } => {
      const dir = mkdtempSync(path.join(tmpdir(), "pb-copy-docs-"));
      git(dir, "init", "-q", "-b", "main");
      for (const [name, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), content);
      }
      git(dir, "add", "-A");
      git(dir, "commit", "-qm", "init");
      return { dir, commit: git(dir, "rev-parse", "HEAD") };
    };
    const app = { "app/routes/index.tsx": "export default () => <h1>Hello</h1>;\n", "docs/deployment.md": "# Deploying\n\nRun fly deploy.\n" };
    const notes = commitOf(app);
    expect((await readCopyFiles(notes.dir, notes.commit)).map((file) => file.path)).toEqual(["app/routes/index.tsx"]);
    const site = commitOf({ ...app, "mkdocs.yml": "site_name: Docs\n" });
    expect((await readCopyFiles(site.dir, site.commit)).map((file) => file.path).sort()).toEqual(["app/routes/index.tsx", "docs/deployment.md"]);
  });
});
