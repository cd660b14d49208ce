// Makes a task's branch on the worker host without a working tree: a scratch bare repository borrows the
// mirror's objects (alternates), the task's patch is applied to a temporary index (`git apply --cached`
// writes blobs only, never files), and the commit is pushed with the forge token in git's environment.
// Nothing here runs inside a sandbox, and no repository content is ever checked out on the host.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppError } from "@/lib/errors";
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
  input: { baseCommit: string; patch: string; parent: string; message: string; author: Person; committer: Person },
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
  if (tree === parentTree) return null;
  const people = {
    GIT_AUTHOR_NAME: input.author.name,
    GIT_AUTHOR_EMAIL: input.author.email,
    GIT_COMMITTER_NAME: input.committer.name,
    GIT_COMMITTER_EMAIL: input.committer.email,
  };
  return (await git(["commit-tree", tree, "-p", input.parent, "-F", messageFile], people)).stdout.trim();
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
