import { describe, expect, it } from "vitest";
import { numstatTotals } from "./extract-diff";

describe("numstatTotals", () => {
  it("sums added and removed lines per file", () => {
    expect(numstatTotals("3\t1\tsrc/a.ts\n10\t0\tsrc/b.ts\n0\t7\tREADME.md\n")).toEqual({ filesChanged: 3, additions: 13, deletions: 8 });
  });

  it("counts binary files (-\\t-) as changed files with no lines", () => {
    expect(numstatTotals("-\t-\tlogo.png\n2\t2\tsrc/a.ts\n-\t-\tfont.woff2\n")).toEqual({ filesChanged: 3, additions: 2, deletions: 2 });
  });

  it("ignores blank lines and returns zeros for no diff", () => {
    expect(numstatTotals("")).toEqual({ filesChanged: 0, additions: 0, deletions: 0 });
    expect(numstatTotals("\n\n")).toEqual({ filesChanged: 0, additions: 0, deletions: 0 });
    expect(numstatTotals("1\t1\ta\n\n")).toEqual({ filesChanged: 1, additions: 1, deletions: 1 });
  });

  it("handles paths with spaces and tabs after the counts", () => {
    expect(numstatTotals("4\t0\tdocs/with space.md\n1\t1\tweird\tname\n")).toEqual({ filesChanged: 2, additions: 5, deletions: 1 });
  });
});
