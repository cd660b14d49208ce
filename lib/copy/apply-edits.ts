import { po } from "gettext-parser";
import ts from "typescript";
import { parseDocument } from "yaml";
import { editProblem, type CopyEdit } from "./edit-problem";
import { encodeCopyText } from "./encode-copy-text";
import { componentShape, componentSyntaxErrorCount } from "./extract-vue-svelte";
import { classifyCopyFile, extractFile, parseMarkdown, sourceFileOf, type CopyFile, type LocatedCopyString } from "./extract-strings";

export type { CopyEdit };

/** `where`: the string's file and line at the head (`locales/en.json:12`), when it still exists there. */
export type CopyEditProblem = { id: string; message: string; where?: string };

export class CopyEditError extends Error {
  readonly problems: CopyEditProblem[];

  constructor(problems: CopyEditProblem[]) {
    super(`Copy edits were not applied: ${problems.map((problem) => problem.message).join("; ")}`);
    this.name = "CopyEditError";
    this.problems = problems;
  }
}

export type AppliedCopyEdit = { edit: CopyEdit; copy: LocatedCopyString };

/** All-or-nothing: either every edit is applied and every changed file still parses, or CopyEditError. */
export function applyCopyEdits(files: CopyFile[], edits: CopyEdit[]): { files: CopyFile[]; applied: AppliedCopyEdit[] } {
  const strings = new Map<string, LocatedCopyString>();
  for (const file of files) for (const copy of extractFile(file) ?? []) strings.set(copy.id, copy);

  const problems: CopyEditProblem[] = [];
  const counts = new Map<string, number>();
  for (const edit of edits) counts.set(edit.id, (counts.get(edit.id) ?? 0) + 1);

  const accepted = new Map<string, { copy: LocatedCopyString; edit: CopyEdit }[]>();
  const reported = new Set<string>();
  for (const edit of edits) {
    const problem = editProblem(edit, strings.get(edit.id), counts.get(edit.id) ?? 0);
    if (problem !== undefined) {
      if (!reported.has(`${edit.id}\u0000${problem}`)) problems.push({ id: edit.id, message: problem });
      reported.add(`${edit.id}\u0000${problem}`);
      continue;
    }
    const copy = strings.get(edit.id);
    if (!copy) continue;
    accepted.set(copy.path, [...(accepted.get(copy.path) ?? []), { copy, edit }]);
  }

  const output = files.map((file) => {
    const fileEdits = accepted.get(file.path);
    if (!fileEdits) return file;
    const content = replaceRanges(file.content, fileEdits);
    problems.push(...verifyFile(file, { path: file.path, content }, fileEdits));
    return { path: file.path, content };
  });

  if (problems.length > 0) {
    // Two refused edits with the same text (two emptied strings) are told apart by where they are.
    const located = problems.map((problem) => {
      const copy = strings.get(problem.id);
      return copy ? { ...problem, where: `${copy.path}:${copy.line}` } : problem;
    });
    throw new CopyEditError(located);
  }
  return { files: output, applied: [...accepted.values()].flat() };
}

function replaceRanges(content: string, fileEdits: { copy: LocatedCopyString; edit: CopyEdit }[]): string {
  const ordered = [...fileEdits].sort((a, b) => b.copy.start - a.copy.start);
  let result = content;
  for (const { copy, edit } of ordered) {
    result = result.slice(0, copy.start) + encodeCopyText(copy.syntax, edit.text) + result.slice(copy.end);
  }
  return result;
}

function verifyFile(before: CopyFile, after: CopyFile, fileEdits: { copy: LocatedCopyString; edit: CopyEdit }[]): CopyEditProblem[] {
  const broken = { message: "This edit would break the file's syntax" };
  if (syntaxErrorCount(after) > syntaxErrorCount(before)) return fileEdits.map(({ edit }) => ({ id: edit.id, ...broken }));
  // Vue and Svelte parsers recover from much (a stray `<` can read as text): the markup must also stay the same.
  const type = classifyCopyFile(after.path);
  if ((type === "vue" || type === "svelte") && componentShape(after, type) !== componentShape(before, type)) {
    return fileEdits.map(({ edit }) => ({ id: edit.id, ...broken }));
  }
  const reparsed = new Map((extractFile(after) ?? []).map((copy) => [copy.id, copy]));
  return fileEdits.flatMap(({ copy, edit }) => {
    const now = reparsed.get(copy.id);
    if (now && comparable(now.text) === comparable(edit.text)) return [];
    return [{ id: edit.id, message: `This edit would not render as written in ${copy.path}` }];
  });
}

/** Rendering collapses whitespace in JSX and Markdown text, so compare modulo whitespace runs. */
function comparable(text: string): string {
  return text.replace(/[ \t\r\n]+/g, " ").trim();
}

/** Syntax errors of a copy file as its own parser reports them (0 for files copy mode does not read). */
export function syntaxErrorCount(file: CopyFile): number {
  const type = classifyCopyFile(file.path);
  switch (type) {
    case "script":
      return scriptSyntaxErrorCount(file);
    case "json":
      try {
        JSON.parse(file.content);
        return 0;
      } catch {
        return 1;
      }
    case "yaml":
      return parseDocument(file.content).errors.length;
    case "vue":
    case "svelte":
      return componentSyntaxErrorCount(file, type);
    case "po":
      // Strict: a line break inside a string or an unescaped quote throws. Counted against the file before the
      // edit, so what it already failed (a duplicate entry, a missing Plural-Forms header) refuses nothing.
      try {
        po.parse(file.content, { validation: true });
        return 0;
      } catch {
        return 1;
      }
    case "markdown":
    case "mdx":
      try {
        parseMarkdown(file.content, type === "mdx");
        return 0;
      } catch {
        return 1;
      }
    case undefined:
      return 0;
    default: {
      const unreachable: never = type;
      throw new Error(`Unknown copy file type ${String(unreachable)}`);
    }
  }
}

/**
 * The script's syntax errors, from the syntax tree extraction already parsed (sourceFileOf): a program of
 * that one file with no libraries and no resolution costs a few milliseconds, where transpileModule
 * parsed and emitted the file again (seconds for a large component).
 */
function scriptSyntaxErrorCount(file: CopyFile): number {
  const sf = sourceFileOf(file);
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === sf.fileName || name.endsWith(`/${sf.fileName}`) ? sf : undefined),
    fileExists: (name) => name === sf.fileName || name.endsWith(`/${sf.fileName}`),
    readFile: () => undefined,
    writeFile: () => undefined,
    getDefaultLibFileName: () => "lib.d.ts",
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
  };
  const options: ts.CompilerOptions = { noLib: true, noResolve: true, allowJs: true, jsx: ts.JsxEmit.Preserve, types: [] };
  return ts.createProgram({ rootNames: [sf.fileName], options, host }).getSyntacticDiagnostics(sf).length;
}
