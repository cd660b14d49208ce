import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { CopyFile } from "./extract-strings";

const root = path.join(import.meta.dirname, "fixtures");

/** Fixture files as repository-relative paths; `.fixture` keeps TSX out of the project's typecheck. */
export function loadFixtures(): CopyFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? walk(full) : [full];
      });
  return walk(root).map((full) => ({
    path: path
      .relative(root, full)
      .split(path.sep)
      .join("/")
      .replace(/\.fixture$/, ""),
    content: readFileSync(full, "utf8"),
  }));
}
