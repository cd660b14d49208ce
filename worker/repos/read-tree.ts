// Reads files of one commit straight from a bare mirror (ls-tree + cat-file --batch): no checkout, no
// working tree, nothing of the repository runs. Copy mode builds its catalog and applies its edits from
// this clean view (docs/security.md §7: host git only on bare mirrors, hardened like every other call).
import { spawn } from "node:child_process";
import { AppError } from "@/lib/errors";
import { gitArgv, gitEnv, runGit } from "./git";

export type TreeFile = { path: string; content: string };

/** `maxFileBytesFor`: a per-path limit that replaces `maxFileBytes` (locale catalogs are larger than components). */
export type ReadTreeLimits = { maxFileBytes: number; maxFiles: number; maxTotalBytes: number; timeoutMs: number; maxFileBytesFor?: (path: string) => number };

export const DEFAULT_READ_LIMITS: ReadTreeLimits = { maxFileBytes: 512 * 1024, maxFiles: 5000, maxTotalBytes: 64 * 1024 * 1024, timeoutMs: 60_000 };

type TreeEntry = { oid: string; size: number; path: string };

/**
 * Regular files at `commit` that `select` picks, skipping ones larger than the per-file limit. `select` sees
 * every path of the commit first, for choices that depend on the rest of the tree (a docs site's config).
 */
export async function readTreeFiles(
  mirrorPath: string,
  commit: string,
  select: (paths: readonly string[]) => (path: string) => boolean,
  limits: ReadTreeLimits = DEFAULT_READ_LIMITS,
): Promise<TreeFile[]> {
  const { stdout } = await runGit(["ls-tree", "-r", "-z", "--long", "--full-tree", commit], {
    cwd: mirrorPath,
    timeoutMs: limits.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const tree = parseLsTree(stdout);
  const wanted = select(tree.map((entry) => entry.path));
  const entries = tree.filter((entry) => wanted(entry.path) && entry.size <= (limits.maxFileBytesFor?.(entry.path) ?? limits.maxFileBytes));
  if (entries.length > limits.maxFiles) {
    throw new AppError("payload_too_large", `The repository has ${entries.length} text files to read; copy mode reads at most ${limits.maxFiles}.`);
  }
  const total = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (total > limits.maxTotalBytes) {
    throw new AppError(
      "payload_too_large",
      `The repository's text files add up to ${Math.round(total / 1024 / 1024)} MiB; copy mode reads at most ${limits.maxTotalBytes / 1024 / 1024} MiB.`,
    );
  }
  if (entries.length === 0) return [];
  const blobs = await catFileBatch(
    mirrorPath,
    entries.map((entry) => entry.oid),
    total,
    limits.timeoutMs,
  );
  return entries.map((entry, index) => ({ path: entry.path, content: (blobs[index] ?? Buffer.alloc(0)).toString("utf8") }));
}

/** `<mode> SP <type> SP <oid> SP+ <size> TAB <path> NUL`; only regular files (no symlinks, no submodules). */
export function parseLsTree(output: string): TreeEntry[] {
  return output.split("\0").flatMap((record) => {
    const tab = record.indexOf("\t");
    if (tab < 0) return [];
    const [mode, type, oid, size] = record.slice(0, tab).trim().split(/\s+/);
    if (type !== "blob" || (mode !== "100644" && mode !== "100755") || !oid) return [];
    return [{ oid, size: Number(size), path: record.slice(tab + 1) }];
  });
}

function catFileBatch(mirrorPath: string, oids: string[], expectedBytes: number, timeoutMs: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", gitArgv(["cat-file", "--batch"]), { cwd: mirrorPath, env: gitEnv(), stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let received = 0;
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      received += chunk.length;
      // Headers add ~60 bytes per object; anything far beyond the sizes ls-tree reported is not ours to hold.
      if (received > expectedBytes + oids.length * 128 + 4096) child.kill("SIGKILL");
      else chunks.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0)
        return reject(
          new AppError("sandbox_error", `Could not read files from the repository mirror: ${stderr.trim().slice(-500) || `git exited with ${code}`}`),
        );
      try {
        resolve(parseBatch(Buffer.concat(chunks), oids.length));
      } catch (error) {
        reject(error);
      }
    });
    // git may exit early (timeout, overflow); the close handler reports it, a broken pipe must not crash us.
    child.stdin.on("error", () => undefined);
    child.stdin.end(`${oids.join("\n")}\n`);
  });
}

/** `<oid> <type> <size>\n<content>\n` per object. */
function parseBatch(output: Buffer, count: number): Buffer[] {
  const blobs: Buffer[] = [];
  let offset = 0;
  for (let index = 0; index < count; index++) {
    const newline = output.indexOf(0x0a, offset);
    if (newline < 0) throw new AppError("sandbox_error", "Could not read files from the repository mirror: truncated output.");
    const header = output.subarray(offset, newline).toString("utf8").split(" ");
    const size = Number(header[2]);
    if (header[1] === "missing" || !Number.isFinite(size)) throw new AppError("sandbox_error", `Could not read ${header[0]} from the repository mirror.`);
    if (newline + 1 + size > output.length) throw new AppError("sandbox_error", "Could not read files from the repository mirror: truncated output.");
    blobs.push(output.subarray(newline + 1, newline + 1 + size));
    offset = newline + 1 + size + 1;
  }
  return blobs;
}

/** Every file of a commit with its blob id, straight from the bare mirror (for setup cache keys). */
export async function listTree(mirrorPath: string, commit: string, timeoutMs: number): Promise<{ path: string; oid: string }[]> {
  const { stdout } = await runGit(["ls-tree", "-r", "-z", "--long", "--full-tree", commit], { cwd: mirrorPath, timeoutMs, maxBuffer: 256 * 1024 * 1024 });
  return parseLsTree(stdout).map((entry) => ({ path: entry.path, oid: entry.oid }));
}
