import { parsePatch, PatchError, type UpdateHunk } from "./parse-patch";

export { PatchError } from "./parse-patch";

export type PatchFileSystem = {
  /** Returns null when the file does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Creates parent directories as needed. */
  writeFile(path: string, content: string): Promise<void>;
  deleteFile(path: string): Promise<void>;
};

export type PatchSummary = { added: string[]; updated: string[]; deleted: string[]; moved: { from: string; to: string }[] };

/**
 * Parses and applies a Codex-format patch.
 *
 * Atomic as far as the patch is concerned: every file is read and every hunk is resolved against an
 * in-memory view first; the file system is only written once the whole patch is known to apply.
 * Operations apply in order on that view, so a patch may e.g. delete a file and add it again.
 *
 * It accepts what Codex's own applier accepts, since models are trained on it and a refused patch costs a
 * whole turn: `*** Add File` on a path that exists replaces the file (reported as an update, so the change
 * shows), `*** Move to` an existing path replaces that file, and an updated file always ends with a newline.
 * Paths stay stricter than Codex's (parse-patch.ts) and the whole patch applies or nothing does.
 */
export async function applyPatch(text: string, fs: PatchFileSystem): Promise<PatchSummary> {
  const parsed = parsePatch(text);
  const original = new Map<string, string | null>();
  const current = new Map<string, string | null>();
  const read = async (path: string): Promise<string | null> => {
    if (!current.has(path)) {
      let content: string | null;
      try {
        content = await fs.readFile(path);
      } catch (error) {
        throw asPatchError(error, `Failed to read ${path}`);
      }
      original.set(path, content);
      current.set(path, content);
    }
    return current.get(path) ?? null;
  };

  const summary: PatchSummary = { added: [], updated: [], deleted: [], moved: [] };
  for (const op of parsed.operations) {
    if (op.type === "add") {
      const existed = (await read(op.path)) !== null;
      // New files always end with a newline.
      current.set(op.path, op.lines.map((l) => `${l}\n`).join(""));
      (existed ? summary.updated : summary.added).push(op.path);
    } else if (op.type === "delete") {
      if ((await read(op.path)) === null) throw new PatchError(`File to delete does not exist: ${op.path}`);
      current.set(op.path, null);
      summary.deleted.push(op.path);
    } else {
      const before = await read(op.path);
      if (before === null) throw new PatchError(`File to update does not exist: ${op.path}`);
      const after = applyHunks(op.path, before, op.hunks);
      if (op.moveTo !== null) {
        await read(op.moveTo); // an existing destination is replaced, and restored by nothing else
        current.set(op.moveTo, after);
        current.set(op.path, null);
        summary.moved.push({ from: op.path, to: op.moveTo });
      } else {
        current.set(op.path, after);
        summary.updated.push(op.path);
      }
    }
  }

  await commit(fs, original, current);
  return summary;
}

async function commit(fs: PatchFileSystem, original: Map<string, string | null>, current: Map<string, string | null>) {
  const done: string[] = [];
  const run = async (label: string, path: string, action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      const applied = done.length > 0 ? `changes already applied: ${done.join(", ")}` : "no files were changed";
      throw asPatchError(error, `Failed to ${label} ${path} (${applied})`);
    }
    done.push(`${label === "write" ? "wrote" : "deleted"} ${path}`);
  };
  // Writes before deletes: if a write fails half-way through a move, the source still exists.
  for (const [path, content] of current) {
    if (content !== null && content !== original.get(path)) await run("write", path, () => fs.writeFile(path, content));
  }
  for (const [path, content] of current) {
    if (content === null && original.get(path) != null) await run("delete", path, () => fs.deleteFile(path));
  }
}

function asPatchError(error: unknown, context: string): PatchError {
  if (error instanceof PatchError) return error;
  return new PatchError(`${context}: ${error instanceof Error ? error.message : String(error)}`);
}

type Line = { text: string; eol: string };

/** Applies update hunks to one file's contents, keeping its line endings and BOM; the result ends with a newline, as Codex's does. */
export function applyHunks(path: string, content: string, hunks: UpdateHunk[]): string {
  const bom = content.startsWith("\uFEFF") ? "\uFEFF" : "";
  const body = content.slice(bom.length);
  const lines = splitLines(body);
  const texts = lines.map((l) => l.text);
  const eol = dominantEol(body);

  const replacements: { start: number; deleteCount: number; insert: Line[] }[] = [];
  let cursor = 0;
  for (const hunk of hunks) {
    let searchFrom = cursor;
    let anchorIndex: number | null = null;
    for (const anchor of hunk.anchors) {
      const found = seekSequence(texts, [anchor], anchorIndex === null ? cursor : anchorIndex + 1, false);
      if (found === null) {
        const where = anchorIndex === null ? (cursor > 0 ? ` after line ${cursor}` : "") : ` after line ${anchorIndex + 1}`;
        throw new PatchError(`Failed to find anchor "@@ ${anchor}" in ${path}${where} (hunk at patch line ${hunk.patchLine})`);
      }
      anchorIndex = found;
    }
    // Search from the anchor line itself, not the line after it: models often repeat the anchor as the hunk's first context line.
    if (anchorIndex !== null) searchFrom = anchorIndex;

    // A hunk that only adds lines, with blank lines the editor stripped of their "+": Codex applies it, and
    // matching those blanks against the file's would put the addition at some other blank line.
    const addsOnly = hunk.lines.every((line) => line.kind === "add" || (line.kind === "context" && line.text.trim() === ""));
    if (hunk.oldLines.length === 0 || (addsOnly && hunk.lines.some((line) => line.kind === "add"))) {
      // Pure insertion: right after the anchor if there is one, otherwise at the end of the file (as Codex does).
      const at = anchorIndex !== null && !hunk.isEndOfFile ? anchorIndex + 1 : texts.length;
      replacements.push({ start: at, deleteCount: 0, insert: hunk.lines.map((line) => ({ text: line.kind === "add" ? line.text : "", eol })) });
      cursor = at;
      continue;
    }

    let hunkLines = hunk.lines;
    let oldLines = hunk.oldLines;
    let found = seekSequence(texts, oldLines, searchFrom, hunk.isEndOfFile);
    const lastLine = hunkLines.at(-1);
    if (found === null && lastLine?.kind === "context" && lastLine.text.trim() === "") {
      // A trailing empty context line is often a stray blank line in the patch rather than part of the file.
      const trimmedLines = hunkLines.slice(0, -1);
      const trimmedOld = oldLines.slice(0, -1);
      const retry = trimmedOld.length > 0 ? seekSequence(texts, trimmedOld, searchFrom, hunk.isEndOfFile) : null;
      if (retry !== null) {
        found = retry;
        hunkLines = trimmedLines;
        oldLines = trimmedOld;
      }
    }
    if (found === null) {
      const atEnd = hunk.isEndOfFile ? " at the end of" : " in";
      let hint = "";
      if (searchFrom > 0 && seekSequence(texts, oldLines, 0, hunk.isEndOfFile) !== null) {
        hint =
          `\n(These lines occur before line ${searchFrom + 1}, where the search for this hunk started; ` +
          `hunks must be in file order and below their "@@" anchors.)`;
      }
      throw new PatchError(`Failed to find expected lines${atEnd} ${path}:\n${oldLines.join("\n")}${hint}`);
    }

    // Context lines keep the file's own text and ending: a fuzzy match must not rewrite lines the patch meant to leave alone.
    const insert: Line[] = [];
    let fileIndex = found;
    for (const line of hunkLines) {
      if (line.kind === "add") {
        insert.push({ text: line.text, eol });
        continue;
      }
      const original = lines[fileIndex++];
      if (line.kind === "context" && original) insert.push(original);
    }
    replacements.push({ start: found, deleteCount: oldLines.length, insert });
    cursor = found + oldLines.length;
  }

  // Apply back to front so earlier indices stay valid; same-index insertions keep patch order.
  const result = [...lines];
  for (const r of replacements.toReversed()) result.splice(r.start, r.deleteCount, ...r.insert);
  return bom + joinLines(result, eol, true);
}

/** Splits into lines, remembering each line's own terminator so untouched lines of mixed files stay byte-identical. */
function splitLines(body: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf("\n", start);
    if (nl === -1) {
      lines.push({ text: body.slice(start), eol: "" });
      break;
    }
    const crlf = nl > start && body[nl - 1] === "\r";
    lines.push({ text: body.slice(start, crlf ? nl - 1 : nl), eol: crlf ? "\r\n" : "\n" });
    start = nl + 1;
  }
  return lines;
}

function dominantEol(body: string): string {
  const crlf = body.match(/\r\n/g)?.length ?? 0;
  const lf = (body.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? "\r\n" : "\n";
}

function joinLines(lines: Line[], eol: string, endsWithNewline: boolean): string {
  let out = "";
  lines.forEach((line, i) => {
    const isLast = i === lines.length - 1;
    // The old last line may now be in the middle (needs a terminator) and the new last line may have had one.
    const terminator = isLast ? (endsWithNewline ? line.eol || eol : "") : line.eol || eol;
    out += line.text + terminator;
  });
  return out;
}

const PUNCTUATION: [RegExp, string][] = [
  [/[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]/g, "-"],
  [/[\u2018\u2019\u201A\u201B]/g, "'"],
  [/[\u201C\u201D\u201E\u201F]/g, '"'],
  [/[\u00A0\u2002-\u200A\u202F\u205F\u3000]/g, " "],
];

function normalisePunctuation(s: string): string {
  let out = s;
  for (const [pattern, replacement] of PUNCTUATION) out = out.replace(pattern, replacement);
  return out.trim();
}

// Increasingly lenient line comparisons; every position is tried with one level before moving to the next,
// so an exact match later in the file wins over a fuzzy match earlier.
const MATCH_LEVELS: ((line: string) => string)[] = [(l) => l, (l) => l.trimEnd(), (l) => l.trim(), normalisePunctuation];

/** Index where `pattern` occurs in `lines` at or after `start` (only at the very end when `atEnd`), or null. */
export function seekSequence(lines: string[], pattern: string[], start: number, atEnd: boolean): number | null {
  if (pattern.length === 0) return atEnd ? lines.length : Math.min(start, lines.length);
  const lastStart = lines.length - pattern.length;
  if (lastStart < start) return null;
  const firstStart = atEnd ? lastStart : start;
  for (const level of MATCH_LEVELS) {
    const wanted = pattern.map(level);
    for (let i = firstStart; i <= lastStart; i++) {
      if (wanted.every((p, j) => level(lines[i + j] ?? "") === p)) return i;
    }
  }
  return null;
}

/** One line per change, e.g. "A docs/new.md", "M src/a.ts", "D old.txt", "R a.ts -> b.ts". */
export function formatPatchSummary(s: PatchSummary): string {
  return [
    ...s.added.map((p) => `A ${p}`),
    ...s.updated.map((p) => `M ${p}`),
    ...s.deleted.map((p) => `D ${p}`),
    ...s.moved.map((m) => `R ${m.from} -> ${m.to}`),
  ].join("\n");
}
