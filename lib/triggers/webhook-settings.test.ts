import { describe, expect, it } from "vitest";
import { autoReviewSchema, autoReviewSkip } from "./webhook-settings";

const pull = { baseBranch: "main", headBranch: "feature/x", author: "octocat", draft: false, files: ["src/app.ts", "docs/readme.md"] };

describe("automatic review's filters", () => {
  it("reviews by default once it is on, and says why it skips a pull request", () => {
    expect(autoReviewSkip(autoReviewSchema.parse({}), pull)).toBe("automatic review is off for this environment");
    const on = autoReviewSchema.parse({ enabled: true });
    expect(autoReviewSkip(on, pull)).toBeNull();
    expect(autoReviewSkip(on, { ...pull, headBranch: "patchbay/fix-1234" })).toBe("the pull request is Patchbay's own");
    expect(autoReviewSkip(on, { ...pull, draft: true })).toBe("the pull request is a draft");
    expect(autoReviewSkip({ ...on, drafts: true }, { ...pull, draft: true })).toBeNull();
    expect(autoReviewSkip({ ...on, skipAuthors: ["Dependabot[bot]"] }, { ...pull, author: "dependabot[bot]" })).toBe("its author dependabot[bot] is skipped");
  });

  it("matches base branches and changed paths by glob", () => {
    const on = autoReviewSchema.parse({ enabled: true, branches: ["main", "release/*"], paths: ["src/**"] });
    expect(autoReviewSkip(on, pull)).toBeNull();
    expect(autoReviewSkip(on, { ...pull, baseBranch: "release/2.1" })).toBeNull();
    expect(autoReviewSkip(on, { ...pull, baseBranch: "develop" })).toBe("its base branch develop matches none of main, release/*");
    expect(autoReviewSkip(on, { ...pull, files: ["docs/readme.md", ".github/workflows/ci.yml"] })).toBe("it changes none of src/**");
  });

  it("refuses settings it cannot honour", () => {
    expect(autoReviewSchema.safeParse({ branches: ["!main"] }).success).toBe(false);
    expect(autoReviewSchema.safeParse({ minSeverity: "P9" }).success).toBe(false);
  });
});
