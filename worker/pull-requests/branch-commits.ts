// Makes a task's branch on the worker host without a working tree: a scratch bare repository borrows the
// mirror's objects (alternates), the task's patch is applied to a temporary index (`git apply --cached`
// writes blobs only, never files), and the commit is pushed with the forge token in git's environment.
// Nothing here runs inside a sandbox, and no repository content is ever checked out on the host.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { numstatTotals } from "@/worker/repos/extract-diff";
import { GitError, runGit } from "@/worker/repos/git";
import type { RemoteAccess } from "@/worker/repos/remote-access";

export type ScratchRepo = { dir: string; gitDir: string; timeoutMs: number };

export type Person = { name: string; email: string };

/** A scratch repository over the mirror's objects for the length of `run`, removed after. */
export async function withScratchRepo<T>(mirrorPath: string, timeoutMs: number, run: (repo: ScratchRepo) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "patchbay-branch-"));
  try {
    const gitDir = path.join(dir, "repo.git");
    await runGit(["init", "--quiet", "--bare", gitDir], { timeoutMs });
    await writeFile(path.join(gitDir, "objects", "info", "alternates"), `${path.resolve(mirrorPath, "objects")}\n`);
    return await run({ dir, gitDir, timeoutMs });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The commit whose tree is `baseCommit` with `patch` applied, on top of `parent` (the branch's previous
 * commit, or the base commit for the first). Null when that tree is the parent's: nothing new to push.
 */
export async function commitPatch(
  repo: ScratchRepo,
  input: {
    baseCommit: string;
    patch: string;
    parent: string;
    /** A second parent: the newer base the change was moved onto ("Update branch" is a merge of it). */
    mergeParent?: string;
    message: string;
    author: Person;
    committer: Person;
  },
): Promise<string | null> {
  const index = path.join(repo.dir, "index");
  const patchFile = path.join(repo.dir, "change.patch");
  const messageFile = path.join(repo.dir, "message.txt");
  await writeFile(patchFile, input.patch);
  await writeFile(messageFile, input.message);
  const env = { GIT_INDEX_FILE: index };
  const git = (args: string[], extra: Record<string, string> = {}) => runGit(args, { cwd: repo.gitDir, timeoutMs: repo.timeoutMs, env: { ...env, ...extra } });
  await git(["read-tree", input.baseCommit]);
  try {
    await git(["apply", "--cached", "--binary", "--whitespace=nowarn", patchFile]);
  } catch (error) {
    const detail = error instanceof GitError ? error.stderr.split("\n").slice(-3).join(" ") : String(error);
    throw new AppError("internal", `The task's change does not apply to its base commit ${input.baseCommit.slice(0, 12)} (${detail}).`, { cause: error });
  }
  const tree = (await git(["write-tree"])).stdout.trim();
  const parentTree = (await git(["rev-parse", `${input.parent}^{tree}`])).stdout.trim();
  if (tree === parentTree && !input.mergeParent) return null;
  const people = {
    GIT_AUTHOR_NAME: input.author.name,
    GIT_AUTHOR_EMAIL: input.author.email,
    GIT_COMMITTER_NAME: input.committer.name,
    GIT_COMMITTER_EMAIL: input.committer.email,
  };
  const parents = ["-p", input.parent, ...(input.mergeParent ? ["-p", input.mergeParent] : [])];
  return (await git(["commit-tree", tree, ...parents, "-F", messageFile], people)).stdout.trim();
}

export type MovedPatch = { ok: true; patch: string; filesChanged: number; additions: number; deletions: number } | { ok: false; conflicts: string[] };

/**
 * The change `patch` (made on an older base) on `newBase`, by a three-way apply: the blobs the patch was
 * made against are in the mirror. Conflicting files are named instead; nothing is written but objects.
 */
export async function movePatch(repo: ScratchRepo, input: { newBase: string; patch: string }): Promise<MovedPatch> {
  const index = path.join(repo.dir, "move-index");
  const patchFile = path.join(repo.dir, "move.patch");
  await writeFile(patchFile, input.patch);
  const git = (args: string[]) => runGit(args, { cwd: repo.gitDir, timeoutMs: repo.timeoutMs, env: { GIT_INDEX_FILE: index } });
  await git(["read-tree", input.newBase]);
  try {
    await git(["apply", "--cached", "--3way", "--binary", "--whitespace=nowarn", patchFile]);
  } catch (error) {
    const stderr = error instanceof GitError ? error.stderr : String(error);
    const conflicts = [
      ...stderr.matchAll(/^(?:U (.+)|error: patch failed: (.+?):\d+|error: (.+?): does not exist in index|error: (.+?): already exists in index)$/gm),
    ]
      .map((match) => match[1] ?? match[2] ?? match[3] ?? match[4] ?? "")
      .filter(Boolean);
    return { ok: false, conflicts: [...new Set(conflicts)] };
  }
  // --3way leaves unmerged entries instead of failing for some conflicts: they are conflicts too.
  const unmerged = (await git(["ls-files", "--unmerged"])).stdout
    .split("\n")
    .map((line) => line.split("\t")[1] ?? "")
    .filter(Boolean);
  if (unmerged.length > 0) return { ok: false, conflicts: [...new Set(unmerged)] };
  const tree = (await git(["write-tree"])).stdout.trim();
  const patch = (await git(["diff", "--binary", "--no-ext-diff", "--no-textconv", "--no-renames", input.newBase, tree, "--"])).stdout;
  const numstat = (await git(["diff", "--numstat", "--no-ext-diff", "--no-textconv", "--no-renames", input.newBase, tree, "--"])).stdout;
  return { ok: true, patch, ...numstatTotals(numstat) };
}

/** The commit a branch points at on the remote, or null when the remote has no such branch. */
export async function remoteBranchTip(repo: ScratchRepo, access: RemoteAccess, url: string, branch: string): Promise<string | null> {
  const { stdout } = await runRemote(repo, access, ["ls-remote", "--", url, `refs/heads/${branch}`]);
  const line = stdout.split("\n").find((entry) => entry.endsWith(`\trefs/heads/${branch}`));
  return line ? (line.split("\t")[0] ?? null) : null;
}

/** Brings the remote branch's commits into the scratch repository (those the mirror lacks). */
export async function fetchBranch(repo: ScratchRepo, access: RemoteAccess, url: string, branch: string): Promise<void> {
  await runRemote(repo, access, ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--", url, `+refs/heads/${branch}:refs/patchbay/remote`]);
}

/** Whether `ancestor` is reachable from `commit` in the scratch repository (false when either is unknown). */
export async function isAncestor(repo: ScratchRepo, ancestor: string, commit: string): Promise<boolean> {
  return runGit(["merge-base", "--is-ancestor", ancestor, commit], { cwd: repo.gitDir, timeoutMs: repo.timeoutMs }).then(
    () => true,
    () => false,
  );
}

/** A fast-forward push of `commit` to the branch: a branch that moved elsewhere is refused, never overwritten. */
export async function pushBranch(repo: ScratchRepo, access: RemoteAccess, url: string, commit: string, branch: string): Promise<void> {
  await runRemote(repo, access, ["push", "--quiet", "--no-verify", "--", url, `${commit}:refs/heads/${branch}`]);
}

function runRemote(repo: ScratchRepo, access: RemoteAccess, args: string[]) {
  return runGit([...access.args, ...args], { cwd: repo.gitDir, timeoutMs: repo.timeoutMs, env: access.env, transports: access.transports });
}
