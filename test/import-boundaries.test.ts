// The import-boundary lint (docs/security.md §12): a regex over file text, not a parser. Imports point one
// way: app/ may import lib/ and components/, worker/ may import lib/, and lib/ imports none of app/, worker/
// or components/; dockerode stays in worker/sandbox/ and openai in worker/agent/. It reads every .ts/.tsx
// file in the repo, so it also catches files nobody imports yet. A second check keeps comments from citing
// documents that are not in this repository: only docs/<name>.md files that exist, sections included.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const SKIPPED_DIRS = new Set(["node_modules", ".next", ".git", "coverage", "test-results", "playwright-report"]);

/** Repo-relative paths of the files `wanted` accepts, outside SKIPPED_DIRS, dot directories and `skippedPaths`. */
function listFiles(wanted: (name: string) => boolean, skippedPaths: ReadonlySet<string>, dir = ""): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith(".") || skippedPaths.has(rel)) continue;
      files.push(...listFiles(wanted, skippedPaths, rel));
    } else if (wanted(entry.name)) {
      files.push(rel);
    }
  }
  return files;
}

function listSourceFiles(): string[] {
  return listFiles((name) => /\.tsx?$/.test(name) && !name.endsWith(".d.ts"), new Set(["lib/generated"]));
}

/** Removes comments so a path mentioned in prose is not read as an import. Good enough for a lint. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

const IMPORT_PATTERNS = [
  /\b(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/g, // import x from "m", import type { T } from "m", export * from "m"
  /\bimport\s*["']([^"']+)["']/g, // import "m"
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, // await import("m")
  /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g, // require("m")
];

export function importSpecifiers(text: string): string[] {
  const source = stripComments(text);
  const specifiers = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of source.matchAll(pattern)) specifiers.add(match[1]!);
  }
  return [...specifiers];
}

/** A repo-relative path for "@/..." and relative specifiers; null for packages. */
function resolveLocal(fromFile: string, specifier: string): string | null {
  if (specifier.startsWith("@/")) return path.posix.normalize(specifier.slice(2));
  if (specifier.startsWith("./") || specifier.startsWith("../")) return path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  return null;
}

const isPackage = (specifier: string, name: string) => specifier === name || specifier.startsWith(`${name}/`);
const isUnder = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);

type SourceFile = { file: string; imports: { specifier: string; local: string | null }[]; readsEnv: boolean };

// This file is left out: its fixture strings below look like imports of the very packages it polices.
const SELF = path
  .relative(ROOT, import.meta.filename)
  .split(path.sep)
  .join("/");

const files: SourceFile[] = listSourceFiles()
  .filter((file) => file !== SELF)
  .map((file) => {
    const text = readFileSync(path.join(ROOT, file), "utf8");
    return {
      file,
      imports: importSpecifiers(text).map((specifier) => ({ specifier, local: resolveLocal(file, specifier) })),
      readsEnv: /\bprocess\s*(?:\.\s*env\b|\[\s*["']env["']\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/.test(stripComments(text)),
    };
  });

function violations(applies: (file: string) => boolean, forbidden: (imp: { specifier: string; local: string | null }) => boolean): string[] {
  return files.filter((f) => applies(f.file)).flatMap((f) => f.imports.filter(forbidden).map((imp) => `${f.file} imports "${imp.specifier}"`));
}

describe("the lint itself", () => {
  it("reads the repository", () => {
    const names = files.map((f) => f.file);
    expect(names.length).toBeGreaterThan(30);
    expect(names).toContain("lib/env.ts");
    expect(names).toContain("worker/sandbox/docker-driver.ts");
    expect(names.some((name) => name.startsWith("lib/generated/"))).toBe(false);
    expect(names.some((name) => name.startsWith("node_modules/"))).toBe(false);
    expect(names).not.toContain(SELF);
    expect(SELF).toBe("test/import-boundaries.test.ts");
  });

  it("sees the imports we know are there", () => {
    const find = (file: string) => files.find((f) => f.file === file)!.imports.map((imp) => imp.specifier);
    expect(find("worker/sandbox/docker-driver.ts")).toContain("dockerode");
    expect(find("worker/agent/model.ts")).toContain("openai");
    expect(find("lib/db.ts").some((s) => resolveLocal("lib/db.ts", s)?.startsWith("lib/generated/prisma"))).toBe(true);
    expect(files.find((f) => f.file === "lib/env.ts")!.readsEnv).toBe(true);
  });

  it("recognises every import form and ignores comments", () => {
    const text = [
      `import Docker from "dockerode";`,
      `import type { A } from "a-types";`,
      `import {\n  b,\n  c,\n} from "multi-line";`,
      `export { d } from "re-export";`,
      `export * from "star";`,
      `import "side-effect";`,
      `const m = await import("dynamic");`,
      `const r = require("required");`,
      `// import x from "commented-out";`,
      `/* import y from "block-comment"; */`,
    ].join("\n");
    expect(importSpecifiers(text).sort()).toEqual(["a-types", "dockerode", "dynamic", "multi-line", "re-export", "required", "side-effect", "star"]);
  });

  it("resolves relative and aliased paths", () => {
    expect(resolveLocal("app/api/tasks/route.ts", "../../../worker/index")).toBe("worker/index");
    expect(resolveLocal("app/page.tsx", "@/worker/sandbox/driver")).toBe("worker/sandbox/driver");
    expect(resolveLocal("lib/db.ts", "./generated/prisma/client")).toBe("lib/generated/prisma/client");
    expect(resolveLocal("lib/db.ts", "pg")).toBeNull();
  });
});

describe("import boundaries", () => {
  it("dockerode is imported only under worker/sandbox/", () => {
    expect(
      violations(
        (file) => !isUnder(file, "worker/sandbox"),
        (imp) => isPackage(imp.specifier, "dockerode"),
      ),
    ).toEqual([]);
  });

  it("openai is imported only under worker/agent/ (and, as a client, by benchmarks and the scripted model server's tests)", () => {
    // Tests of the scripted server and benchmarks use the SDK as a client to measure or check it.
    const allowed = (file: string) =>
      isUnder(file, "worker/agent") || isUnder(file, "scripts/bench") || (isUnder(file, "scripts/model-server") && file.endsWith(".test.ts"));
    expect(
      violations(
        (file) => !allowed(file),
        (imp) => isPackage(imp.specifier, "openai"),
      ),
    ).toEqual([]);
  });

  it("nothing in app/ or components/ imports worker/", () => {
    expect(
      violations(
        (file) => isUnder(file, "app") || isUnder(file, "components"),
        (imp) => imp.local !== null && isUnder(imp.local, "worker"),
      ),
    ).toEqual([]);
  });

  it("nothing in lib/ imports app/, worker/ or components/", () => {
    expect(
      violations(
        (file) => isUnder(file, "lib"),
        (imp) => imp.local !== null && ["app", "worker", "components"].some((dir) => isUnder(imp.local!, dir)),
      ),
    ).toEqual([]);
  });

  it("nothing under worker/ imports lib/db (the worker reaches the database through lib/ domain functions; tests aside)", () => {
    expect(
      violations(
        (file) => isUnder(file, "worker") && !file.endsWith(".test.ts"),
        (imp) => imp.local === "lib/db",
      ),
    ).toEqual([]);
  });

  it("has no import cycles among the project's own modules", () => {
    const known = new Set(files.map((f) => f.file));
    const resolveFile = (local: string) => [`${local}.ts`, `${local}.tsx`, `${local}/index.ts`, local].find((candidate) => known.has(candidate));
    const graph = new Map(
      files.map((f) => [f.file, f.imports.flatMap((imp) => (imp.local ? [resolveFile(imp.local)].filter((x): x is string => Boolean(x)) : []))]),
    );
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("only lib/db.ts imports the generated Prisma client", () => {
    expect(
      violations(
        (file) => file !== "lib/db.ts",
        (imp) => imp.local !== null && isUnder(imp.local, "lib/generated/prisma"),
      ),
    ).toEqual([]);
  });

  it("nothing outside lib/env.ts reads process.env", () => {
    const exempt = (file: string) =>
      file === "lib/env.ts" ||
      file === "lib/db.ts" || // NODE_ENV check for the dev-only client cache
      file === "proxy.ts" || // NODE_ENV check: `next dev` needs 'unsafe-eval' in the page policy
      ["scripts", "test", "e2e"].some((dir) => isUnder(file, dir)) ||
      file.endsWith(".test.ts") ||
      /^[^/]+\.config\.ts$/.test(file);
    expect(files.filter((f) => f.readsEnv && !exempt(f.file)).map((f) => f.file)).toEqual([]);
  });
});

// ---- documents cited in comments ----------------------------------------------------------------------

/** Design notes that once lived outside the repository: cited only as docs/<name>.md of a file that exists. */
const DESIGN_NOTES = new Set(["security.md", "performance.md", "style.md", "architecture.md"]);

/**
 * The comments of a file: // and /* *\/ in TypeScript and JavaScript, # in shell scripts, YAML and
 * Dockerfiles. A comment must start a line or follow whitespace, so "https://…" and "**\/*.ts" are not read
 * as comments. Good enough for a lint.
 */
export function commentsOf(file: string, text: string): string[] {
  const pattern = /\.(tsx?|[cm]?js)$/.test(file) ? /(?<=^|\s)(?:\/\*[\s\S]*?\*\/|\/\/[^\n]*)/g : /(?<=^|\s)#[^\n]*/g;
  return [...text.matchAll(pattern)].map((match) => match[0]);
}

/** The `## §N` headings of a markdown document. */
function sectionsOf(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{1,6} (§\d+)\b/gm)].map((match) => match[1]!));
}

/**
 * What is wrong with the documents one comment cites: a docs/… file (or a §section of it) that does not
 * exist, a design note named without docs/, or a docs folder outside the repository. A docs/… path in
 * double quotes is an example path ("A docs/new.md"), not a citation.
 */
export function citationProblems(comment: string, readDoc: (repoPath: string) => string | null): string[] {
  const problems: string[] = [];
  for (const match of comment.matchAll(/[\w./-]*\.md\b/g)) {
    const cited = match[0];
    const name = cited.split("/").at(-1) ?? cited;
    if (cited.startsWith("docs/")) {
      const quoted = (comment.slice(0, match.index).match(/"/g) ?? []).length % 2 === 1;
      if (quoted) continue;
      const doc = readDoc(cited);
      if (doc === null) {
        problems.push(`${cited} does not exist`);
        continue;
      }
      const after = comment.slice(match.index + cited.length);
      const sections = /^\s*§\d+(?:(?:,\s*|\s+and\s+|\s*-\s*)§\d+)*/.exec(after)?.[0].match(/§\d+/g) ?? [];
      const known = sectionsOf(doc);
      for (const section of sections) if (!known.has(section)) problems.push(`${cited} has no ${section}`);
    } else if (DESIGN_NOTES.has(name)) {
      problems.push(`${cited} is not a document of this repository: cite docs/${name} with its §section`);
    } else if (/^(\.\.\/|\/(?!\/)).*\bdocs\//.test(cited)) {
      problems.push(`${cited} is outside this repository: cite a docs/… file of this repository`);
    }
  }
  return problems;
}

const readRepoDoc = (repoPath: string): string | null => {
  const file = path.join(ROOT, repoPath);
  return existsSync(file) ? readFileSync(file, "utf8") : null;
};

// Source, scripts, Dockerfiles, compose and env templates; the fixture projects are other repositories.
const commentedFiles = listFiles(
  (name) => /\.(tsx?|[cm]?js|sh|ya?ml)$/.test(name) || /Dockerfile/.test(name) || name === ".env.example",
  new Set(["lib/generated", "test/fixtures", "lib/copy/fixtures"]),
);

describe("documents cited in comments", () => {
  it("reads the comments of every kind of file", () => {
    expect(commentedFiles).toContain("worker/sandbox/docker-driver.ts");
    expect(commentedFiles).toContain("scripts/setup/sandbox-firewall.sh");
    expect(commentedFiles).toContain("docker/sandbox.Dockerfile");
    expect(commentedFiles).toContain("docker-compose.yml");
    expect(commentedFiles).toContain(SELF);
    expect(commentsOf("a.ts", 'const url = "https://x/y"; // one\n/* two */ const glob = "**/*.ts";')).toEqual(["// one", "/* two */"]);
    expect(commentsOf("a.sh", 'n=${#list[@]} # one\n# two\necho "a#b"')).toEqual(["# one", "# two"]);
  });

  it("flags design notes outside the repository and docs that do not exist, and accepts real citations", () => {
    const docs: Record<string, string> = { "docs/security.md": "# Security\n## §1 One\n## §2 Two\n" };
    const read = (repoPath: string) => docs[repoPath] ?? null;
    expect(citationProblems("// the template (docs/security.md §2), see also docs/security.md §1, §2", read)).toEqual([]);
    expect(citationProblems("# see docs/security.md.", read)).toEqual([]);
    expect(citationProblems('/** One line per change, e.g. "A docs/new.md", "M src/a.ts". */', read)).toEqual([]);
    expect(citationProblems("// README.md and AGENTS.md are fine", read)).toEqual([]);
    expect(citationProblems("// the template (security.md §2)", read)).toHaveLength(1);
    expect(citationProblems('// the lint (style.md "Import direction")', read)).toHaveLength(1);
    expect(citationProblems("# (see docs: performance.md §5)", read)).toHaveLength(1);
    expect(citationProblems("// see ../design-notes/architecture.md", read)).toHaveLength(1);
    expect(citationProblems("// see ../notes/docs/plan.md", read)).toHaveLength(1);
    expect(citationProblems("// see docs/benchmarks.md §1", read)).toEqual(["docs/benchmarks.md does not exist"]);
    expect(citationProblems("// see docs/security.md §2, §7", read)).toEqual(["docs/security.md has no §7"]);
  });

  it("every comment cites only documents of this repository, and sections they have", () => {
    const problems = commentedFiles.flatMap((file) =>
      commentsOf(file, readFileSync(path.join(ROOT, file), "utf8")).flatMap((comment) =>
        citationProblems(comment, readRepoDoc).map((problem) => `${file}: ${problem}`),
      ),
    );
    expect(problems).toEqual([]);
  });
});
