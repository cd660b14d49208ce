// Which files copy mode reads from a repository: a real git repository on disk, read as the worker reads
// its mirror (ls-tree + cat-file).
import { describe, expect, it } from "vitest";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { readCopyFiles } from "./copy-files";

describe("readCopyFiles", () => {
  it("reads a source-language catalog far larger than any component, and skips generated-size scripts", async () => {
    const messages = Object.fromEntries(Array.from({ length: 15_000 }, (_, i) => [`key${i}`, `Message number ${i} for the people`]));
    const files: Record<string, string> = {
      "locales/en.json": JSON.stringify(messages, null, 2),
      "locales/sq.json": JSON.stringify({ key0: "Mesazh" }),
      "src/generated.tsx": `export const Big = () => <p>${"x".repeat(700 * 1024)}</p>;\n`,
      "src/page.tsx": "export default () => <h1>Hello</h1>;\n",
    };
    const repo = createFixtureRepo(files);
    expect((files["locales/en.json"] ?? "").length).toBeGreaterThan(600 * 1024);

    const read = await readCopyFiles(repo.dir, repo.baseCommit);
    expect(read.map((file) => file.path).sort()).toEqual(["locales/en.json", "locales/sq.json", "src/page.tsx"]);
  });

  it("leaves out the developers' docs/ unless a docs site of the repository renders it", async () => {
    const app = { "app/routes/index.tsx": "export default () => <h1>Hello</h1>;\n", "docs/deployment.md": "# Deploying\n\nRun fly deploy.\n" };
    const notes = createFixtureRepo(app);
    expect((await readCopyFiles(notes.dir, notes.baseCommit)).map((file) => file.path)).toEqual(["app/routes/index.tsx"]);
    const site = createFixtureRepo({ ...app, "mkdocs.yml": "site_name: Docs\n" });
    expect((await readCopyFiles(site.dir, site.baseCommit)).map((file) => file.path).sort()).toEqual(["app/routes/index.tsx", "docs/deployment.md"]);
  });
});
