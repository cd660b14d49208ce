// Parser for the Codex `apply_patch` format:
//
//   *** Begin Patch
//   *** Add File: path          followed by "+" lines (the whole new file)
//   *** Delete File: path
//   *** Update File: path       optionally followed by "*** Move to: path",
//   @@ optional anchor          then hunks of " " / "-" / "+" lines,
//    context                    each hunk optionally ending with
//   -old                        "*** End of File"
//   +new
//   *** End Patch
//
// Error messages are read by a model that has to fix its patch, so they name
// the line, what was expected and what was found.

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

export type HunkLine = { kind: "context" | "remove" | "add"; text: string };

export type UpdateHunk = {
  /** `@@ <text>` headers, outermost first; each narrows where the next one (and the hunk) is searched. */
  anchors: string[];
  lines: HunkLine[];
  /** Lines the file must contain (context + removed), in order. */
  oldLines: string[];
  /** Lines that replace them (context + added), in order. */
  newLines: string[];
  /** Set by `*** End of File`: the hunk must match at the very end of the file. */
  isEndOfFile: boolean;
  /** 1-based line in the patch text where the hunk starts, for error messages. */
  patchLine: number;
};

export type AddFileOperation = { type: "add"; path: string; lines: string[] };
export type DeleteFileOperation = { type: "delete"; path: string };
export type UpdateFileOperation = {
  type: "update";
  path: string;
  /** Destination from `*** Move to:`, or null when the file stays where it is. */
  moveTo: string | null;
  hunks: UpdateHunk[];
};
export type PatchOperation = AddFileOperation | DeleteFileOperation | UpdateFileOperation;
export type ParsedPatch = { operations: PatchOperation[] };

const BEGIN_PATCH = "*** Begin Patch";
const END_PATCH = "*** End Patch";
const ADD_FILE = "*** Add File:";
const DELETE_FILE = "*** Delete File:";
const UPDATE_FILE = "*** Update File:";
const MOVE_TO = "*** Move to:";
const END_OF_FILE = "*** End of File";

// Models sometimes send the shell form `apply_patch <<'EOF' ... EOF` as the patch itself; Codex tolerates it.
const HEREDOC_OPEN = /^(?:apply_patch\s+)?<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1$/;
// A unified-diff hunk header (`@@ -12,5 +12,6 @@ fn`): the numbers mean nothing here, any trailing text is an anchor.
const UNIFIED_HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@(.*)$/;

const EXPECTED_HEADER = `expected "${ADD_FILE}", "${UPDATE_FILE}" or "${DELETE_FILE}"`;

function invalid(lineIndex: number, message: string): PatchError {
  return new PatchError(`Invalid patch: line ${lineIndex + 1}: ${message}`);
}

function quote(line: string): string {
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
}

/**
 * Validates a path from the patch and returns it normalised (forward slashes, no "." or empty segments).
 * Done at parse time so that nothing is read or written when any path in the patch is unsafe.
 */
export function normalizePatchPath(raw: string, lineIndex: number, header: string): string {
  const p = raw.trim();
  if (p === "") throw invalid(lineIndex, `missing file path after "${header}"`);
  const bad = (why: string) => invalid(lineIndex, `invalid path ${quote(p)}: ${why}`);
  if (p.includes("\0")) throw bad("contains a NUL character");
  if (p.includes("\\")) throw bad('use forward slashes ("/") as the path separator');
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p) || p === "~" || p.startsWith("~/")) {
    throw bad("paths must be relative to the repository root, not absolute");
  }
  if (p.endsWith("/")) throw bad("the path names a directory, not a file");
  const segments = p.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw bad('".." segments are not allowed; paths must stay inside the repository');
  if (segments.length === 0) throw bad("the path names the repository root, not a file");
  if (segments.some((s) => s.toLowerCase() === ".git")) throw bad("files inside .git/ cannot be changed with a patch");
  return segments.join("/");
}

export function parsePatch(text: string): ParsedPatch {
  const lines = text.split(/\r?\n/);
  let first = 0;
  let last = lines.length - 1;
  const trimBlankEdges = () => {
    while (first <= last && (lines[first] ?? "").trim() === "") first++;
    while (last >= first && (lines[last] ?? "").trim() === "") last--;
  };
  trimBlankEdges();
  if (first > last) throw new PatchError("Patch is empty");

  const heredoc = HEREDOC_OPEN.exec((lines[first] ?? "").trim());
  if (heredoc) {
    if (last === first || (lines[last] ?? "").trim() !== heredoc[2]) {
      throw invalid(first, `the patch starts with heredoc ${quote((lines[first] ?? "").trim())} but its last line is not "${heredoc[2]}"`);
    }
    first++;
    last--;
    trimBlankEdges();
    if (first > last) throw new PatchError("Patch is empty");
  }

  const firstLine = (lines[first] ?? "").trim();
  if (firstLine !== BEGIN_PATCH) {
    throw invalid(first, `the patch must start with "${BEGIN_PATCH}", got ${quote(firstLine)}`);
  }
  const lastLine = (lines[last] ?? "").trim();
  if (last === first || lastLine !== END_PATCH) {
    throw invalid(last, `the patch must end with "${END_PATCH}" as its last line, got ${quote(lastLine)}`);
  }

  const operations = new BodyParser(lines, first + 1, last).parse();
  if (operations.length === 0) {
    throw new PatchError(`Patch is empty: no file operations between "${BEGIN_PATCH}" and "${END_PATCH}"`);
  }
  return { operations };
}

class BodyParser {
  private i: number;

  constructor(
    private readonly lines: string[],
    start: number,
    /** Index of the "*** End Patch" line (exclusive bound). */
    private readonly end: number,
  ) {
    this.i = start;
  }

  parse(): PatchOperation[] {
    const operations: PatchOperation[] = [];
    while (this.i < this.end) {
      const line = this.line(this.i).trim();
      if (line === "") {
        this.i++;
        continue;
      }
      const at = this.i;
      this.i++;
      if (line.startsWith(ADD_FILE)) {
        operations.push(this.parseAdd(normalizePatchPath(line.slice(ADD_FILE.length), at, ADD_FILE), at));
      } else if (line.startsWith(DELETE_FILE)) {
        operations.push({ type: "delete", path: normalizePatchPath(line.slice(DELETE_FILE.length), at, DELETE_FILE) });
      } else if (line.startsWith(UPDATE_FILE)) {
        operations.push(this.parseUpdate(normalizePatchPath(line.slice(UPDATE_FILE.length), at, UPDATE_FILE), at));
      } else if (line === END_PATCH) {
        throw invalid(at, `"${END_PATCH}" must be the last line of the patch; send one patch at a time`);
      } else if (line === BEGIN_PATCH) {
        throw invalid(at, `unexpected second "${BEGIN_PATCH}"; send one patch at a time`);
      } else if (line.startsWith(MOVE_TO)) {
        throw invalid(at, `"${MOVE_TO}" must come directly after an "${UPDATE_FILE}" line`);
      } else if (line === END_OF_FILE) {
        throw invalid(at, `"${END_OF_FILE}" must directly follow the last line of an update hunk`);
      } else {
        throw invalid(at, `${EXPECTED_HEADER}, got ${quote(line)}`);
      }
    }
    return operations;
  }

  private line(index: number): string {
    return this.lines[index] ?? "";
  }

  private parseAdd(path: string, headerIndex: number): AddFileOperation {
    const content: string[] = [];
    while (this.i < this.end) {
      const line = this.line(this.i);
      if (line.startsWith("+")) {
        content.push(line.slice(1));
        this.i++;
        continue;
      }
      if (line.trim() === "") {
        // A blank line ends the file unless more "+" lines follow: then it was meant as an empty line.
        let next = this.i;
        while (next < this.end && this.line(next).trim() === "") next++;
        if (next < this.end && this.line(next).startsWith("+")) {
          throw invalid(this.i, `empty line inside added file ${path}; write an empty line of the file as a lone "+"`);
        }
        break;
      }
      if (line.startsWith("***")) break;
      throw invalid(this.i, `every line of an added file (${path}, from line ${headerIndex + 1}) must start with "+", got ${quote(line)}`);
    }
    return { type: "add", path, lines: content };
  }

  private parseUpdate(path: string, headerIndex: number): UpdateFileOperation {
    let moveTo: string | null = null;
    const moveLine = this.line(this.i).trim();
    if (this.i < this.end && moveLine.startsWith(MOVE_TO)) {
      moveTo = normalizePatchPath(moveLine.slice(MOVE_TO.length), this.i, MOVE_TO);
      this.i++;
    }

    const hunks: UpdateHunk[] = [];
    let current: { hunk: UpdateHunk; trailingImplicitBlanks: number } | null = null;

    const finish = (isEndOfFile: boolean, at: number) => {
      if (!current) return;
      const { hunk } = current;
      // Blank lines right before the next header are usually separators, not empty context lines
      // (editors strip the leading space). Dropping trailing context only loosens the match.
      if (!isEndOfFile) hunk.lines.splice(hunk.lines.length - current.trailingImplicitBlanks);
      if (hunk.lines.length === 0) {
        const header = hunk.anchors.length > 0 ? ` "@@ ${hunk.anchors.join(" / ")}"` : "";
        throw invalid(
          hunk.patchLine - 1,
          `hunk${header} in ${path} has no lines before line ${at + 1}; a hunk needs " " (context), "-" (remove) or "+" (add) lines`,
        );
      }
      hunk.isEndOfFile = isEndOfFile;
      for (const l of hunk.lines) {
        if (l.kind !== "add") hunk.oldLines.push(l.text);
        if (l.kind !== "remove") hunk.newLines.push(l.text);
      }
      hunks.push(hunk);
      current = null;
    };
    const start = (at: number): { hunk: UpdateHunk; trailingImplicitBlanks: number } => ({
      hunk: { anchors: [], lines: [], oldLines: [], newLines: [], isEndOfFile: false, patchLine: at + 1 },
      trailingImplicitBlanks: 0,
    });

    while (this.i < this.end) {
      const at = this.i;
      const line = this.line(at);
      const trimmed = line.trim();

      if (line.startsWith("***")) {
        if (trimmed === END_OF_FILE) {
          if (!current || current.hunk.lines.length === 0) {
            throw invalid(at, `"${END_OF_FILE}" must directly follow the last line of an update hunk`);
          }
          finish(true, at);
          this.i++;
          continue;
        }
        if (trimmed.startsWith(MOVE_TO)) {
          throw invalid(at, `"${MOVE_TO}" must come directly after the "${UPDATE_FILE} ${path}" line`);
        }
        break; // the next operation (or an error the top level reports)
      }

      if (line.startsWith("@@")) {
        if (current && current.hunk.lines.length > 0) finish(false, at);
        current ??= start(at);
        const unified = UNIFIED_HUNK_HEADER.exec(trimmed);
        const anchor = (unified ? (unified[1] ?? "") : trimmed.slice(2)).trim();
        if (anchor !== "") current.hunk.anchors.push(anchor);
        this.i++;
        continue;
      }

      if (line === "" && (!current || current.hunk.lines.length === 0)) {
        // Blank separator lines before a hunk has started carry no meaning.
        this.i++;
        continue;
      }

      const kind = line === "" ? "context" : lineKind(line[0]);
      if (kind === null) {
        throw invalid(
          at,
          `unexpected line in update of ${path}: ${quote(line)}. Hunk lines must start with " " (context), "-" (remove) or "+" (add); ` +
            `context lines need a leading space, and a new hunk starts with "@@"`,
        );
      }
      if (!current) {
        // Only the first hunk may omit its "@@" line (as in Codex); after "*** End of File" a new hunk needs "@@".
        if (hunks.length > 0) {
          throw invalid(at, `expected "@@" to start a new hunk or a file header after "${END_OF_FILE}", got ${quote(line)}`);
        }
        current = start(at);
      }
      current.hunk.lines.push({ kind, text: line === "" ? "" : line.slice(1) });
      current.trailingImplicitBlanks = line === "" ? current.trailingImplicitBlanks + 1 : 0;
      this.i++;
    }
    finish(false, this.i);

    if (hunks.length === 0 && moveTo === null) {
      throw invalid(headerIndex, `"${UPDATE_FILE} ${path}" has no hunks; add "@@" hunks with " ", "-" and "+" lines`);
    }
    return { type: "update", path, moveTo: moveTo === path ? null : moveTo, hunks };
  }
}

function lineKind(first: string | undefined): HunkLine["kind"] | null {
  if (first === " ") return "context";
  if (first === "-") return "remove";
  if (first === "+") return "add";
  return null;
}

/**
 * Lines added/removed per operation, for event reporting. A moved file is reported under its new path.
 * Deletions report 0 removed lines: the patch does not carry the deleted file's contents.
 */
export function patchLineCounts(parsed: ParsedPatch): { path: string; added: number; removed: number }[] {
  return parsed.operations.map((op) => {
    if (op.type === "add") return { path: op.path, added: op.lines.length, removed: 0 };
    if (op.type === "delete") return { path: op.path, added: 0, removed: 0 };
    let added = 0;
    let removed = 0;
    for (const hunk of op.hunks) {
      for (const l of hunk.lines) {
        if (l.kind === "add") added++;
        else if (l.kind === "remove") removed++;
      }
    }
    return { path: op.moveTo ?? op.path, added, removed };
  });
}
