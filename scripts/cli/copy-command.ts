// `patchbay copy list|apply`: copy mode from the shell, for reviewing a repository's texts or checking them
// in CI. Both read the committed files of one commit straight from git (worker/copy/copy-files.ts, as the
// worker does), so they work in bare and non-bare repositories alike; `apply` runs exactly a copy task's
// checks (lib/copy/apply-edits.ts) and writes the changed files into the working tree. No env, no database.
// Exit codes: 0 done, 1 the edits were refused (one line per edit), 2 the command could not run (usage,
// repository, ref, edits file, uncommitted changes).
import { promises as fsp } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { applyCopyEdits, CopyEditError, type CopyEdit } from "@/lib/copy/apply-edits";
import { buildCatalog, EVERY_PAGE, type CatalogEntry } from "@/lib/copy/catalog";
import { isOtherLanguage, withLinkedEdits } from "@/lib/copy/catalog-entry";
import { classifyCopyFile, extractFile, type CopyFile } from "@/lib/copy/extract-strings";
import { isAppError } from "@/lib/errors";
import { readCopyFiles } from "@/worker/copy/copy-files";
import { runGit } from "@/worker/repos/git";

export const COPY_USAGE = `usage: npm run patchbay -- copy list --repo DIR [--ref REF] [--json] [--all-languages]
       npm run patchbay -- copy apply --repo DIR --edits edits.json [--ref REF]`;

/** `cwd`: what relative --repo and --edits paths are relative to. */
export type CopyIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; cwd: string };

/** The fields of `copy list --json`, in this order; optional ones only when the string has them. */
export type CopyListEntry = {
  id: string;
  text: string;
  kind: CatalogEntry["kind"];
  path: string;
  line: number;
  key?: string;
  pages: string[];
  /** The entry's language when it comes from a locale file. */
  locale?: string;
  translations?: string[];
  component?: string;
};

/** A problem that stops the command before anything is written; its message is for the person (one line, or a list). */
class CopyCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

const GIT_TIMEOUT_MS = 60_000;

export async function copyCommand(argv: string[], io: CopyIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "list" && sub !== "apply") {
    io.stderr.write(`${COPY_USAGE}\n`);
    return 2;
  }
  try {
    return sub === "list" ? await copyList(rest, io) : await copyApply(rest, io);
  } catch (error) {
    // readTreeFiles refuses repositories past its limits with an AppError; anything else is a bug.
    if (!(error instanceof CopyCommandError) && !isAppError(error)) throw error;
    io.stderr.write(`copy ${sub}: ${error instanceof CopyCommandError ? error.message : error.userMessage}\n`);
    return error instanceof CopyCommandError ? error.exitCode : 1;
  }
}

// ---- copy list ----

async function copyList(argv: string[], io: CopyIo): Promise<number> {
  const args = parseCopyArgs(argv, { repo: { type: "string" }, ref: { type: "string" }, json: { type: "boolean" }, "all-languages": { type: "boolean" } });
  const repo = await openRepository(requiredOption(args.repo, "--repo DIR"), io.cwd);
  const ref = args.ref ?? "HEAD";
  const commit = await resolveCommit(repo, ref);
  // The source language, as the Copy page shows by default (other languages are noted as translations);
  // --all-languages lists every language's messages, each with its locale.
  const entries = buildCatalog(await readCopyFiles(repo.gitPath, commit))
    .filter((entry) => args["all-languages"] || !isOtherLanguage(entry))
    .map(listEntry);
  io.stdout.write(args.json ? `${JSON.stringify(entries, null, 2)}\n` : formatList(entries, ref, commit));
  return 0;
}

export function listEntry(entry: CatalogEntry): CopyListEntry {
  return {
    id: entry.id,
    text: entry.text,
    kind: entry.kind,
    path: entry.path,
    line: entry.line,
    ...(entry.key !== undefined ? { key: entry.key } : {}),
    pages: entry.pages,
    ...(entry.locale !== undefined ? { locale: entry.locale } : {}),
    ...(entry.translations?.length ? { translations: entry.translations } : {}),
    ...(entry.context.component !== undefined ? { component: entry.context.component } : {}),
  };
}

/** One line per string: `file:line  kind [key]  "text"  pages: …  [translations: …]`, after a count. */
export function formatList(entries: CopyListEntry[], ref: string, commit: string): string {
  const at = `${ref} (${commit.slice(0, 12)})`;
  if (entries.length === 0) return `No user-facing strings at ${at}.\n`;
  const files = new Set(entries.map((entry) => entry.path)).size;
  const lines = entries.map((entry) => {
    const pages = entry.pages.map((page) => (page === EVERY_PAGE ? "every page" : page)).join(", ") || "none";
    const translations = entry.translations ? `  translations: ${entry.translations.join(", ")}` : "";
    const language = entry.locale !== undefined ? `  [${entry.locale}]` : "";
    return `${entry.path}:${entry.line}${language}  ${entry.kind}${entry.key !== undefined ? ` ${entry.key}` : ""}  ${JSON.stringify(entry.text)}  pages: ${pages}${translations}`;
  });
  return `${entries.length} string${entries.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"} at ${at}:\n${lines.join("\n")}\n`;
}

// ---- copy apply ----

const LOCALE_FILE_TYPES = new Set(["json", "yaml", "po"]);

const editsSchema = z.array(z.strictObject({ id: z.string().min(1), text: z.string(), from: z.string().optional() }));

async function copyApply(argv: string[], io: CopyIo): Promise<number> {
  const args = parseCopyArgs(argv, { repo: { type: "string" }, edits: { type: "string" }, ref: { type: "string" } });
  const repoArg = requiredOption(args.repo, "--repo DIR");
  const edits = await readEdits(requiredOption(args.edits, "--edits edits.json"), io.cwd);
  const repo = await openRepository(repoArg, io.cwd);
  if (!repo.workTree) throw new CopyCommandError(`${repoArg} has no working tree to write to (a bare repository?); give a checkout's folder`, 2);
  const ref = args.ref ?? "HEAD";
  const commit = await resolveCommit(repo, ref);
  if (edits.length === 0) {
    io.stdout.write("No edits: nothing was written.\n");
    return 0;
  }

  const files = await readCopyFiles(repo.gitPath, commit);
  // As a copy task does: a code default that an edited catalog entry overrides is changed with it. Only
  // locale-file entries link to defaults, and the whole catalog (every script parsed) is needed to know them.
  const edited = new Set(edits.map((edit) => edit.id));
  const editsLocaleFile = files.some(
    (file) => LOCALE_FILE_TYPES.has(classifyCopyFile(file.path) ?? "") && extractFile(file)?.some((copy) => edited.has(copy.id)),
  );
  const all = editsLocaleFile ? withLinkedEdits(edits, new Map(buildCatalog(files).map((entry) => [entry.id, entry]))) : edits;
  let result: ReturnType<typeof applyCopyEdits>;
  try {
    result = applyCopyEdits(files, all);
  } catch (error) {
    if (!(error instanceof CopyEditError)) throw error;
    const count = error.problems.length;
    io.stderr.write(`copy apply: nothing was written; ${count} problem${count === 1 ? "" : "s"}:\n${problemLines(all, error).join("\n")}\n`);
    return 1;
  }

  const before = new Map(files.map((file) => [file.path, file.content]));
  const changed = result.files.filter((file) => before.get(file.path) !== file.content);
  const sameCommitAsHead = (await resolveCommit(repo, "HEAD").catch(() => undefined)) === commit;
  for (const file of changed) await assertUntouched(repo.workTree, file.path, before.get(file.path) ?? "", sameCommitAsHead ? undefined : ref);
  for (const file of changed) await fsp.writeFile(path.join(repo.workTree, file.path), file.content, "utf8");

  io.stdout.write(formatApplied(result.applied, changed));
  return 0;
}

async function readEdits(file: string, cwd: string): Promise<CopyEdit[]> {
  let text: string;
  try {
    text = await fsp.readFile(path.resolve(cwd, file), "utf8");
  } catch (error) {
    throw new CopyCommandError(`cannot read the edits file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 2);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CopyCommandError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
  const parsed = editsSchema.safeParse(value);
  if (parsed.success) return parsed.data.map(({ id, text, from }) => ({ id, text, ...(from !== undefined ? { from } : {}) }));
  const problems = parsed.error.issues.map((issue) => `  ${issuePath(issue.path)}: ${issue.message}`);
  throw new CopyCommandError(`${file} must be a JSON array of {"id", "text", "from"?} edits:\n${problems.join("\n")}`, 2);
}

/** `[2].text`, or `the file` for the top level. */
function issuePath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return "the file";
  return segments.map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${String(segment)}`)).join("");
}

/** One line per refused edit, named by the text it started from (or its new text): `"Sign up": message`. */
export function problemLines(edits: CopyEdit[], error: CopyEditError): string[] {
  const byId = new Map(edits.map((edit) => [edit.id, edit]));
  return error.problems.map((problem) => {
    const edit = byId.get(problem.id);
    return `${JSON.stringify(clip(edit?.from ?? edit?.text ?? problem.id))}${problem.where ? ` (${problem.where})` : ""}: ${problem.message}`;
  });
}

/**
 * The file in the working tree must be exactly the file the edits were applied to, or writing would drop
 * what a person typed (uncommitted changes) or, at another ref, what was committed since.
 */
async function assertUntouched(workTree: string, file: string, committed: string, otherRef: string | undefined): Promise<void> {
  const target = path.join(workTree, file);
  const stat = await fsp.lstat(target).catch(() => null);
  const current = stat?.isFile() ? await fsp.readFile(target, "utf8") : undefined;
  // A folder on the way that is a symbolic link would take the write elsewhere.
  const real = stat?.isFile() ? await fsp.realpath(target) : target;
  const relative = path.relative(await fsp.realpath(workTree), real);
  if (relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new CopyCommandError(`${file} leads outside the working tree (nothing was written)`, 2);
  }
  if (current === committed) return;
  const fix = otherRef
    ? `differs in the working tree from ${otherRef} (uncommitted changes, or commits since); check out ${otherRef} or apply at HEAD`
    : "has uncommitted changes; commit or stash them first";
  const why = !stat ? "is missing from the working tree" : !stat.isFile() ? "is not a regular file in the working tree" : fix;
  throw new CopyCommandError(`${file} ${why} (nothing was written)`, 2);
}

function formatApplied(applied: ReturnType<typeof applyCopyEdits>["applied"], changed: CopyFile[]): string {
  const ordered = [...applied].sort((a, b) => a.copy.path.localeCompare(b.copy.path) || a.copy.start - b.copy.start);
  const lines = ordered.map(({ copy, edit }) => {
    const change = copy.text === edit.text ? `${JSON.stringify(copy.text)} (unchanged)` : `${JSON.stringify(copy.text)} → ${JSON.stringify(edit.text)}`;
    return `${copy.path}:${copy.line}  ${change}`;
  });
  const files = changed.length;
  return `${lines.join("\n")}\nWrote ${files} file${files === 1 ? "" : "s"}${files ? `: ${changed.map((file) => file.path).join(", ")}` : ""}.\n`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ---- arguments and git ----

type OptionSpec = Record<string, { type: "string" | "boolean" }>;

function parseCopyArgs<T extends OptionSpec>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CopyCommandError(`${error instanceof Error ? error.message : String(error)}\n${COPY_USAGE}`, 2);
  }
}

function requiredOption(value: string | undefined, name: string): string {
  if (!value) throw new CopyCommandError(`needs ${name}\n${COPY_USAGE}`, 2);
  return value;
}

/** `gitPath`: where git runs (the directory given); `workTree`: the checkout's root, null in a bare repository. */
type Repository = { gitPath: string; workTree: string | null; label: string };

async function openRepository(dir: string, cwd: string): Promise<Repository> {
  const gitPath = path.resolve(cwd, dir);
  const stat = await fsp.stat(gitPath).catch(() => null);
  if (!stat?.isDirectory()) throw new CopyCommandError(`not a directory: ${dir}`, 2);
  let inside: string;
  try {
    inside = (await git(gitPath, ["rev-parse", "--is-inside-work-tree"])).trim();
  } catch (error) {
    throw new CopyCommandError(`not a git repository: ${dir}${gitReason(error, /not a git repository/)}`, 2);
  }
  const workTree = inside === "true" ? (await git(gitPath, ["rev-parse", "--show-toplevel"])).trim() : null;
  return { gitPath, workTree, label: dir };
}

/** The commit `ref` names (a branch, tag, sha, HEAD~1). */
async function resolveCommit(repo: Repository, ref: string): Promise<string> {
  // A ref that starts with "-" would be read as an option.
  if (ref === "" || ref.startsWith("-")) throw new CopyCommandError(`not a ref: "${ref}"`, 2);
  try {
    return (await git(repo.gitPath, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim();
  } catch {
    throw new CopyCommandError(`unknown ref "${ref}" in ${repo.label}: no commit by that name`, 2);
  }
}

async function git(cwd: string, args: string[]): Promise<string> {
  return (await runGit(args, { cwd, timeoutMs: GIT_TIMEOUT_MS })).stdout;
}

/** git's own reason when it is not the one `expected` already says (e.g. "dubious ownership"), as a suffix. */
function gitReason(error: unknown, expected: RegExp): string {
  const stderr = error instanceof Error && "stderr" in error ? String(error.stderr) : "";
  const line = stderr.split("\n").find((text) => text.trim() !== "") ?? "";
  return line && !expected.test(line) ? ` (${line.replace(/^fatal: /, "").trim()})` : "";
}
