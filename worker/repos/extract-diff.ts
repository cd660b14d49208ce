// The diff leaves the sandbox as data: produced inside it by the agent user, against the base commit,
// including untracked and binary files. Host-side it is only ever parsed as text.
import { AppError } from "@/lib/errors";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";

export const MAX_PATCH_BYTES = 8 * 1024 * 1024;

export type ExtractedDiff = { patch: string; files: string[]; filesChanged: number; additions: number; deletions: number };

export async function extractDiff(driver: SandboxDriver, sandbox: SandboxHandle, baseCommit: string): Promise<ExtractedDiff> {
  const stage = await driver.exec(sandbox, ["bash", "-c", 'git add -A && git diff --cached --numstat -z --no-renames "$1" --', "numstat", baseCommit], {
    timeoutSec: 120,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  if (stage.exitCode !== 0) {
    throw new AppError("sandbox_error", `Could not compute the diff: ${stage.stderr.toString().trim().slice(-1000)}`);
  }
  const diff = await driver.exec(sandbox, ["git", "diff", "--cached", "--binary", "--no-ext-diff", "--no-textconv", "--no-renames", baseCommit, "--"], {
    timeoutSec: 120,
    maxOutputBytes: MAX_PATCH_BYTES + 1,
  });
  if (diff.truncated || diff.stdout.length > MAX_PATCH_BYTES) {
    throw new AppError(
      "sandbox_error",
      `The change is larger than ${MAX_PATCH_BYTES / 1024 / 1024} MiB as a patch; ask for a smaller change (generated or vendored files?).`,
    );
  }
  if (diff.exitCode !== 0) throw new AppError("sandbox_error", `Could not compute the diff: ${diff.stderr.toString().trim().slice(-1000)}`);
  const numstat = stage.stdout.toString("utf8");
  return { patch: diff.stdout.toString("utf8"), files: numstatPaths(numstat), ...numstatTotals(numstat) };
}

// -z ends records with NUL so paths with unusual characters come through unquoted; \n keeps plain
// numstat output (and the tests that use it) working too.
const RECORD_SEPARATOR = /[\n\0]/;

/** The changed paths of `git diff --numstat` (third column; --no-renames keeps it one path). */
export function numstatPaths(numstat: string): string[] {
  return numstat
    .split(RECORD_SEPARATOR)
    .map((line) => line.split("\t")[2])
    .filter((path): path is string => Boolean(path));
}

/** Sums `git diff --numstat` lines; binary files count as changed files with no line counts. */
export function numstatTotals(numstat: string): { filesChanged: number; additions: number; deletions: number } {
  let filesChanged = 0;
  let additions = 0;
  let deletions = 0;
  for (const line of numstat.split(RECORD_SEPARATOR)) {
    const [added, removed] = line.split("\t");
    if (added === undefined || removed === undefined) continue;
    filesChanged++;
    additions += Number(added) || 0;
    deletions += Number(removed) || 0;
  }
  return { filesChanged, additions, deletions };
}
