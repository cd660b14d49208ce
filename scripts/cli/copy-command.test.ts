// `patchbay copy list|apply` on real git repositories in a temp folder: the catalog at a ref, edits applied
// with a copy task's checks into the working tree, and every refusal writing nothing.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { minimalEnv } from "@/worker/repos/git";
import { type CopyListEntry, copyCommand } from "./copy-command";

const root = path.resolve(import.meta.dirname, "../..");
const PATH = process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";

const HERO = `import { useTranslation } from "react-i18next";

export function Hero() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>Welcome to Acme</h1>
      <p>{t("greeting", { name: "Ana" })}</p>
      <img src="/logo.png" alt="Acme logo" />
    </section>
  );
}
`;
const HOME = `import { Hero } from "../components/Hero";

export default function Home() {
  return <Hero />;
}
`;
const EN = `{\n  "greeting": "Hello {name}",\n  "cta": "Sign up"\n}\n`;
const FR = `{\n  "greeting": "Bonjour {name}"\n}\n`;

/** git with no user or system config, so the machine's settings cannot change what the tests see. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: minimalEnv({
      PATH,
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
    }),
  });
}

function write(dir: string, file: string, content: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), content);
}

/** A small app: a page that renders a component, and English and French ICU messages; one commit. */
function makeRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pb-copy-"));
  git(dir, "init", "-q", "-b", "main");
  write(dir, "src/components/Hero.tsx", HERO);
  write(dir, "src/pages/index.tsx", HOME);
  write(dir, "locales/en.json", EN);
  write(dir, "locales/fr.json", FR);
  commit(dir, "first");
  return dir;
}

function commit(dir: string, message: string): void {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
}

async function copy(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        into.push(String(chunk));
        done();
      },
    });
  const code = await copyCommand(argv, { stdout: sink(out), stderr: sink(err), cwd });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function listJson(dir: string, ...argv: string[]): Promise<CopyListEntry[]> {
  const result = await copy(dir, "list", "--repo", ".", "--json", ...argv);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as CopyListEntry[];
}

async function idOf(dir: string, text: string): Promise<string> {
  const entry = (await listJson(dir)).find((candidate) => candidate.text === text);
  if (!entry) throw new Error(`no entry "${text}"`);
  return entry.id;
}

function editsFile(edits: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "pb-edits-")), "edits.json");
  writeFileSync(file, typeof edits === "string" ? edits : JSON.stringify(edits));
  return file;
}

const read = (dir: string, file: string) => readFileSync(path.join(dir, file), "utf8");

describe("copy list", () => {
  it("prints one line per string: file:line, kind and key, text, pages and translations", async () => {
    const dir = makeRepo();
    const result = await copy(dir, "list", "--repo", dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^4 strings in 2 files at HEAD \([0-9a-f]{12}\):$/);
    expect(lines.slice(1)).toEqual([
      'locales/en.json:2  [en]  i18n greeting  "Hello {name}"  pages: /  translations: fr',
      'locales/en.json:3  [en]  i18n cta  "Sign up"  pages: none',
      'src/components/Hero.tsx:7  jsx-text  "Welcome to Acme"  pages: /',
      'src/components/Hero.tsx:9  jsx-attribute alt  "Acme logo"  pages: /',
    ]);
  });

  it("prints --json entries with the stable fields only", async () => {
    const dir = makeRepo();
    const entries = await listJson(dir);
    expect(entries).toEqual([
      {
        id: expect.any(String),
        text: "Hello {name}",
        kind: "i18n",
        path: "locales/en.json",
        line: 2,
        key: "greeting",
        pages: ["/"],
        locale: "en",
        translations: ["fr"],
      },
      { id: expect.any(String), text: "Sign up", kind: "i18n", path: "locales/en.json", line: 3, key: "cta", pages: [], locale: "en" },
      { id: expect.any(String), text: "Welcome to Acme", kind: "jsx-text", path: "src/components/Hero.tsx", line: 7, pages: ["/"], component: "Hero" },
      {
        id: expect.any(String),
        text: "Acme logo",
        kind: "jsx-attribute",
        path: "src/components/Hero.tsx",
        line: 9,
        key: "alt",
        pages: ["/"],
        component: "Hero",
      },
    ]);
    expect(Object.keys(entries[0] ?? {})).toEqual(["id", "text", "kind", "path", "line", "key", "pages", "locale", "translations"]);
  });

  it("lists the other languages' messages too with --all-languages", async () => {
    const dir = makeRepo();
    const result = await copy(dir, "list", "--repo", dir, "--all-languages");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('locales/fr.json:2  [fr]  i18n greeting  "Bonjour {name}"');
    expect(result.stdout).toContain('locales/en.json:2  [en]  i18n greeting  "Hello {name}"');
  });

  it("lists an older commit with --ref, and committed files only, never the working tree", async () => {
    const dir = makeRepo();
    write(dir, "src/components/Hero.tsx", HERO.replace("Welcome to Acme", "Welcome aboard"));
    commit(dir, "second");
    write(dir, "src/components/Hero.tsx", HERO.replace("Welcome to Acme", "Not committed"));

    const texts = async (...argv: string[]) => (await listJson(dir, ...argv)).map((entry) => entry.text);
    expect(await texts()).toContain("Welcome aboard");
    expect(await texts("--ref", "HEAD~1")).toContain("Welcome to Acme");
    expect(await texts("--ref", git(dir, "rev-parse", "HEAD~1").trim())).toContain("Welcome to Acme");
    expect([...(await texts()), ...(await texts("--ref", "main~1"))]).not.toContain("Not committed");
  });

  it("reads a bare repository", async () => {
    const dir = makeRepo();
    const bare = path.join(mkdtempSync(path.join(tmpdir(), "pb-copy-bare-")), "app.git");
    git(dir, "clone", "-q", "--bare", dir, bare);
    const result = await copy(dir, "list", "--repo", bare);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"Welcome to Acme"');
  });

  it("refuses a folder that is not a repository, a missing folder and an unknown ref with one line and exit 2", async () => {
    const dir = makeRepo();
    const plain = mkdtempSync(path.join(tmpdir(), "pb-copy-plain-"));
    expect(await copy(dir, "list", "--repo", plain)).toEqual({ code: 2, stdout: "", stderr: `copy list: not a git repository: ${plain}\n` });
    expect(await copy(dir, "list", "--repo", "nowhere")).toEqual({ code: 2, stdout: "", stderr: "copy list: not a directory: nowhere\n" });
    expect(await copy(dir, "list", "--repo", ".", "--ref", "v9")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'copy list: unknown ref "v9" in .: no commit by that name\n',
    });
    expect((await copy(dir, "list", "--repo", ".", "--ref=--output=x")).stderr).toBe('copy list: not a ref: "--output=x"\n');
    const missing = await copy(dir, "list");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("copy list: needs --repo DIR\nusage:");
  });
});

describe("copy apply", () => {
  it("writes the edited files into the working tree and prints each change; committed, they re-list with the new text", async () => {
    const dir = makeRepo();
    const welcome = await idOf(dir, "Welcome to Acme");
    const greeting = await idOf(dir, "Hello {name}");
    const edits = editsFile([
      { id: welcome, from: "Welcome to Acme", text: "Welcome to Acme, friend" },
      { id: greeting, text: "Hi {name}!" },
    ]);

    const result = await copy(dir, "apply", "--repo", dir, "--edits", edits);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'locales/en.json:2  "Hello {name}" → "Hi {name}!"',
        'src/components/Hero.tsx:7  "Welcome to Acme" → "Welcome to Acme, friend"',
        "Wrote 2 files: locales/en.json, src/components/Hero.tsx.",
        "",
      ].join("\n"),
    );
    expect(read(dir, "locales/en.json")).toBe(EN.replace("Hello {name}", "Hi {name}!"));
    expect(read(dir, "src/components/Hero.tsx")).toBe(HERO.replace("Welcome to Acme", "Welcome to Acme, friend"));
    expect(git(dir, "status", "--porcelain")).toBe(" M locales/en.json\n M src/components/Hero.tsx\n");

    commit(dir, "copy");
    const entries = await listJson(dir);
    expect(entries.find((entry) => entry.id === welcome)?.text).toBe("Welcome to Acme, friend");
    expect(entries.find((entry) => entry.id === greeting)?.text).toBe("Hi {name}!");
  });

  it("changes the code default a locale entry overrides along with it, as a copy task does", async () => {
    const dir = makeRepo();
    write(
      dir,
      "src/components/Cta.tsx",
      'import { useTranslation } from "react-i18next";\nexport const Cta = () => { const { t } = useTranslation(); return <a>{t("cta", "Join us")}</a>; };\n',
    );
    commit(dir, "cta");
    const result = await copy(dir, "apply", "--repo", dir, "--edits", editsFile([{ id: await idOf(dir, "Sign up"), text: "Create account" }]));
    expect(result.stderr).toBe("");
    expect(read(dir, "locales/en.json")).toBe(EN.replace("Sign up", "Create account"));
    expect(read(dir, "src/components/Cta.tsx")).toContain('t("cta", "Create account")');
  });

  it("exits 1 with one line per refused edit (unknown id, an ICU message left unclosed) and writes nothing", async () => {
    const dir = makeRepo();
    const edits = editsFile([
      { id: await idOf(dir, "Welcome to Acme"), text: "Hi there" },
      { id: "0000000000000000", text: "Whatever" },
      { id: await idOf(dir, "Hello {name}"), from: "Hello {name}", text: "Hello {name" },
    ]);
    const result = await copy(dir, "apply", "--repo", dir, "--edits", edits);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("copy apply: nothing was written; 2 problems:");
    expect(lines[1]).toBe('"Whatever": This text no longer exists at the head commit');
    expect(lines[2]).toMatch(/^"Hello \{name\}" \(locales\/en.json:2\): Braces \{ \} and tags like <b> have a meaning in this text/);
    expect(lines).toHaveLength(3);
    expect(git(dir, "status", "--porcelain")).toBe("");
  });

  it("refuses with exit 2, naming the file, when a file it would write has uncommitted changes; other changed files do not matter", async () => {
    const dir = makeRepo();
    const cta = await idOf(dir, "Sign up");
    const welcome = await idOf(dir, "Welcome to Acme");
    const typed = EN.replace("Sign up", "Sign up now");
    write(dir, "locales/en.json", typed);
    const edits = editsFile([
      { id: welcome, text: "Hi there" },
      { id: cta, text: "Create account" },
    ]);

    const result = await copy(dir, "apply", "--repo", dir, "--edits", edits);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "copy apply: locales/en.json has uncommitted changes; commit or stash them first (nothing was written)\n",
    });
    expect(read(dir, "locales/en.json")).toBe(typed);
    expect(read(dir, "src/components/Hero.tsx")).toBe(HERO);

    // At an older ref, a file that changed since is refused the same way.
    git(dir, "commit", "-q", "-am", "typed");
    const older = await copy(dir, "apply", "--repo", dir, "--ref", "HEAD~1", "--edits", edits);
    expect(older.code).toBe(2);
    expect(older.stderr).toContain("locales/en.json differs in the working tree from HEAD~1");

    // Edits to clean files go ahead while another file has changes.
    write(dir, "locales/en.json", EN);
    const clean = await copy(dir, "apply", "--repo", dir, "--edits", editsFile([{ id: welcome, text: "Hi there" }]));
    expect(clean.code).toBe(0);
    expect(git(dir, "status", "--porcelain")).toBe(" M locales/en.json\n M src/components/Hero.tsx\n");
  });

  it("says what is wrong with an edits file that is not a list of edits, and writes nothing", async () => {
    const dir = makeRepo();
    const notJson = await copy(dir, "apply", "--repo", dir, "--edits", editsFile("[{"));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^copy apply: .*edits\.json is not valid JSON: /);

    const wrong = await copy(dir, "apply", "--repo", dir, "--edits", editsFile([{ id: "abc", txt: "Hi" }, 3]));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('edits.json must be a JSON array of {"id", "text", "from"?} edits:\n');
    expect(wrong.stderr).toContain("  [0].text: Invalid input: expected string, received undefined\n");
    expect(wrong.stderr).toContain('  [0]: Unrecognized key: "txt"\n');
    expect(wrong.stderr).toContain("  [1]: Invalid input: expected object, received number\n");

    const object = await copy(dir, "apply", "--repo", dir, "--edits", editsFile({ id: "abc", text: "Hi" }));
    expect(object.stderr).toContain("  the file: Invalid input: expected array, received object\n");

    const missing = await copy(dir, "apply", "--repo", dir, "--edits", "no-such-edits.json");
    expect(missing).toEqual({ code: 2, stdout: "", stderr: "copy apply: cannot read the edits file no-such-edits.json: ENOENT\n" });
    expect(git(dir, "status", "--porcelain")).toBe("");
  });

  it("refuses a bare repository: it has no working tree to write to", async () => {
    const dir = makeRepo();
    const bare = path.join(mkdtempSync(path.join(tmpdir(), "pb-copy-bare-")), "app.git");
    git(dir, "clone", "-q", "--bare", dir, bare);
    const result = await copy(dir, "apply", "--repo", bare, "--edits", editsFile([{ id: await idOf(dir, "Sign up"), text: "Join" }]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("has no working tree to write to");
  });
});

describe("patchbay copy, the real process", () => {
  it("runs with no .env, database or Patchbay variables, and prints usage for a missing subcommand", () => {
    const dir = makeRepo();
    const cli = (args: string[]) =>
      spawnSync(path.join(root, "node_modules/.bin/tsx"), ["scripts/cli/patchbay.ts", ...args], {
        cwd: root,
        encoding: "utf8",
        env: minimalEnv({ PATH, HOME: dir }),
      });
    const listed = cli(["copy", "list", "--repo", dir, "--json"]);
    expect(listed.stderr).toBe("");
    expect(listed.status).toBe(0);
    expect((JSON.parse(listed.stdout) as CopyListEntry[]).map((entry) => entry.text)).toContain("Welcome to Acme");

    const usage = cli(["copy"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("usage: npm run patchbay -- copy list --repo DIR");
  }, 60_000);

  it("reaches neither lib/env nor the database through the static imports of the CLI and the copy commands", () => {
    const files = [...staticImports(path.join(root, "scripts/cli/patchbay.ts")), ...staticImports(path.join(root, "scripts/cli/copy-command.ts"))].map((file) =>
      path.relative(root, file),
    );
    expect(files).toContain("scripts/cli/apply-patch-command.ts");
    expect(files).toContain("worker/copy/copy-files.ts");
    expect(files).toContain("lib/copy/apply-edits.ts");
    expect(files.filter((file) => /^lib\/(env|db)\.ts$|^lib\/generated\/|^scripts\/cli\/admin-commands\.ts$/.test(file))).toEqual([]);
  });
});

/**
 * Every project file `entry` loads at startup: value imports and re-exports, followed through relative and
 * "@/" paths; type-only imports and dynamic import() are not loaded at startup.
 */
function staticImports(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = ts.createSourceFile(entry, readFileSync(entry, "utf8"), ts.ScriptTarget.Latest);
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specifier = statement.moduleSpecifier;
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      specifier = statement.moduleSpecifier;
    }
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    const resolved = resolveProjectFile(entry, specifier.text);
    if (resolved) staticImports(resolved, seen);
  }
  return seen;
}

function resolveProjectFile(from: string, specifier: string): string | undefined {
  const base = specifier.startsWith("@/")
    ? path.join(root, specifier.slice(2))
    : specifier.startsWith(".")
      ? path.resolve(path.dirname(from), specifier)
      : undefined;
  if (!base) return undefined; // a package
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find(
    (candidate) => /\.tsx?$/.test(candidate) && existsSync(candidate) && statSync(candidate).isFile(),
  );
}
