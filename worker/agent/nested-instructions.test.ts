import { describe, expect, it } from "vitest";
import { ancestorDirs } from "./nested-instructions";

describe("ancestorDirs", () => {
  it.each([
    ["src/a/b.ts", ["src", "src/a"]],
    ["README.md", []],
    ["/workspace/pkg/x/y.js", ["pkg", "pkg/x"]],
    ["./lib/z.ts", ["lib"]],
    ["pkg/ui/.", ["pkg", "pkg/ui"]],
    ["../etc/passwd", []],
    ["/etc/passwd", []],
  ])("%s → %j", (file, dirs) => {
    expect(ancestorDirs(file)).toEqual(dirs);
  });
});
