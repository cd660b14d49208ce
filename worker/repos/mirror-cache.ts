// Bare-mirror cache on the worker host: one mirror per repository URL, fetched to update, never a full
// network clone when the mirror exists. Workspaces are materialized from the mirror (load-workspace.ts).
import { createHash } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { classifyRepoUrl } from "@/lib/git-refs";
import { assertValidBranch, GitError, runGit } from "./git";

export type MirrorCacheOptions = {
  root: string;
  timeoutMs: number;
  allowLocal: boolean;
  /** file:// repositories Patchbay created itself (the demo) are allowed even without allowLocal. */
  localRoots?: readonly string[];
};

export type MirrorCache = {
  /** Creates or fetches the mirror for a URL and returns its path. */
  sync(repoUrl: string): Promise<string>;
  /** The commit a branch points at in the mirror; throws branch_not_found with the known branches. */
  resolveBranch(mirrorPath: string, branch: string): Promise<string>;
};

// Concurrent syncs of the same repo share one fetch instead of racing on the same directory.
const inFlight = new Map<string, Promise<string>>();

export function createMirrorCache(options: MirrorCacheOptions): MirrorCache {
  async function syncOnce(repoUrl: string): Promise<string> {
    const kind = classifyRepoUrl(repoUrl, { allowLocal: options.allowLocal, localRoots: options.localRoots ?? [] });
    const key = createHash("sha256").update(repoUrl).digest("hex").slice(0, 32);
    const mirrorPath = path.join(options.root, `${key}.git`);
    const env = kind === "ssh" ? { GIT_SSH_COMMAND: "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new" } : undefined;
    const exists = await stat(path.join(mirrorPath, "HEAD")).then(
      () => true,
      () => false,
    );
    try {
      if (exists) {
        await runGit(["fetch", "--prune", "--no-write-fetch-head", "origin"], { cwd: mirrorPath, timeoutMs: options.timeoutMs, ...(env ? { env } : {}) });
      } else {
        await mkdir(options.root, { recursive: true });
        // Clone into a temporary name, then rename: a killed clone never leaves a half mirror behind.
        const partial = `${mirrorPath}.partial-${process.pid}-${Date.now()}`;
        try {
          await runGit(["clone", "--mirror", "--no-hardlinks", "--", repoUrl, partial], { timeoutMs: options.timeoutMs, ...(env ? { env } : {}) });
          await rename(partial, mirrorPath);
        } finally {
          await rm(partial, { recursive: true, force: true });
        }
      }
    } catch (error) {
      throw unreachable(repoUrl, error);
    }
    return mirrorPath;
  }

  return {
    sync(repoUrl) {
      const running = inFlight.get(repoUrl);
      if (running) return running;
      const promise = syncOnce(repoUrl).finally(() => inFlight.delete(repoUrl));
      inFlight.set(repoUrl, promise);
      return promise;
    },

    async resolveBranch(mirrorPath, branch) {
      await assertValidBranch(branch);
      try {
        const { stdout } = await runGit(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], { cwd: mirrorPath, timeoutMs: 10_000 });
        return stdout.trim();
      } catch {
        const { stdout } = await runGit(["for-each-ref", "--count=20", "--format=%(refname:short)", "refs/heads/"], { cwd: mirrorPath, timeoutMs: 10_000 });
        const known = stdout.split("\n").filter(Boolean);
        throw new AppError(
          "branch_not_found",
          `Branch "${branch}" does not exist in the repository.${known.length ? ` Branches: ${known.join(", ")}.` : " The repository has no branches."}`,
        );
      }
    },
  };
}

function unreachable(repoUrl: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const detail = error instanceof GitError ? (error.timedOut ? "the fetch timed out" : gitProblem(error.stderr)) : String(error);
  return new AppError("repo_unreachable", `Could not fetch the repository ${repoUrl}: ${detail}. Check the URL and that the worker host can reach it.`, {
    cause: error,
  });
}

/**
 * The line of git's stderr that says what went wrong. Not simply the last line: for a missing repository
 * git ends with "...and the repository exists.", while the cause is the first `fatal:` line.
 */
function gitProblem(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const problem = lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1) ?? "unknown error";
  return problem
    .replace(/^(fatal|error):\s*/, "")
    .replace(/\.+$/, "")
    .slice(0, 500);
}
