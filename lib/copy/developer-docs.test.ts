// A repository's docs/ folder is copy only when a docs site publishes it (unpublishedDocs in extract-strings.ts).
import { describe, expect, it } from "vitest";
import { classifyCopyFile, unpublishedDocs } from "./extract-strings";

// The Epic Stack's shape: a Remix app and docs/ written for the developers who fork it.
const EPIC = [
  "package.json",
  "vite.config.ts",
  "app/root.tsx",
  "app/routes/_marketing+/index.tsx",
  "docs/README.md",
  "docs/deployment.md",
  "docs/decisions/001-typescript-only.md",
  "docs/skills/epic-stack/SKILL.md",
  "content/blog/hello.md",
];

/** The copy files a catalog reads from these paths. */
function listed(paths: string[]): string[] {
  const unpublished = unpublishedDocs(paths);
  return paths.filter((path) => classifyCopyFile(path) !== undefined && !unpublished(path));
}

describe("docs/ folders", () => {
  it("are notes for developers in a repository without a docs site", () => {
    expect(listed(EPIC)).toEqual(["vite.config.ts", "app/root.tsx", "app/routes/_marketing+/index.tsx", "content/blog/hello.md"]);
    // A workspace's docs/ too, but not a docs app (apps/docs) nor content folders elsewhere.
    const monorepo = ["apps/web/docs/setup.md", "apps/web/app/page.tsx", "packages/ui/docs/tokens.md", "website/docs/intro.md", "src/content/docs/intro.md"];
    expect(listed(monorepo)).toEqual(["apps/web/app/page.tsx", "website/docs/intro.md", "src/content/docs/intro.md"]);
  });

  it("are copy when a docs site of the repository renders them", () => {
    for (const site of ["docusaurus.config.ts", "mkdocs.yml", "docs/.vitepress/config.mts", "apps/docs/package.json"]) {
      expect(listed([...EPIC, site]), site).toContain("docs/deployment.md");
    }
  });

  it("are copy when the folder is a site itself: its own package.json, Nextra or Mintlify files, or MDX pages", () => {
    for (const marker of ["docs/package.json", "docs/_meta.ts", "docs/mint.json", "docs/guides/intro.mdx"]) {
      expect(listed([...EPIC, marker]), marker).toContain("docs/deployment.md");
    }
    // A site in one workspace's docs/ publishes that folder only.
    const paths = ["apps/web/docs/setup.md", "apps/api/docs/index.mdx", "apps/api/docs/limits.md"];
    expect(listed(paths)).toEqual(["apps/api/docs/index.mdx", "apps/api/docs/limits.md"]);
  });

  it("never list decision records, skills and agent instructions, even in a docs site", () => {
    const site = [
      "docusaurus.config.js",
      "docs/intro.md",
      "docs/decisions/001-use-sqlite.md",
      "docs/adr/002.md",
      "docs/skills/saas/SKILL.md",
      "docs/AGENTS.md",
      "CLAUDE.md",
      "skills/saas-builder/SKILL.md",
    ];
    expect(listed(site)).toEqual(["docusaurus.config.js", "docs/intro.md"]);
  });
});
