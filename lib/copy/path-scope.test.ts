import { describe, expect, it } from "vitest";
import { allowedPathsFor, copyPathsSchema, filesOutOfScope, scopeRejection } from "./path-scope";

describe("copy path scope", () => {
  it("copywriters get only their list; engineers without a list are unrestricted", () => {
    expect(allowedPathsFor({}, "copywriter")).toEqual([]);
    expect(allowedPathsFor({ copywriter: ["locales/**"] }, "copywriter")).toEqual(["locales/**"]);
    expect(allowedPathsFor({ copywriter: ["locales/**"] }, "engineer")).toBeNull();
    expect(allowedPathsFor({ engineer: ["src/**"] }, "engineer")).toEqual(["src/**"]);
    expect(allowedPathsFor({ copywriter: [] }, "admin")).toBeNull();
  });

  it("lists exactly the files outside the globs", () => {
    const allowed = ["locales/**", "src/**/*.tsx", "content/*.md"];
    const files = ["locales/en.json", "locales/fr/app.yml", "src/app/page.tsx", "src/app/page.ts", "content/about.md", "content/deep/x.md", "package.json"];
    expect(filesOutOfScope(files, allowed)).toEqual(["src/app/page.ts", "content/deep/x.md", "package.json"]);
  });

  it("does not let dotfiles through a broad glob unless they match", () => {
    expect(filesOutOfScope([".github/workflows/ci.yml", "src/.env"], ["src/**"])).toEqual([".github/workflows/ci.yml"]);
    expect(filesOutOfScope(["anything"], [])).toEqual(["anything"]);
    expect(filesOutOfScope(["anything"], null)).toEqual([]);
  });

  it("refuses absolute paths, parent segments and unknown roles", () => {
    expect(copyPathsSchema.safeParse({ copywriter: ["/etc/**"] }).success).toBe(false);
    expect(copyPathsSchema.safeParse({ copywriter: ["../x/**"] }).success).toBe(false);
    expect(copyPathsSchema.safeParse({ designer: ["x"] }).success).toBe(false);
  });

  it("says which files and which paths", () => {
    expect(scopeRejection("copywriter", ["content/about.md"], ["locales/**"])).toBe(
      "The change was rejected because it touches files outside your paths: content/about.md. Your role (copywriter) may change only: locales/**. Ask an engineer to make this change.",
    );
  });
});
