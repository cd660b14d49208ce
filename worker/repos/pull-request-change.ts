// What a pull request changes, read from the bare mirror on the host (each forge advertises a PR's head as a
// ref, refs/pull/<n>/head or GitLab's refs/merge-requests/<n>/head, which the mirror fetches): its head, the
// merge base with the branch it merges into, and the diff between them. Read-only; like every host git call
// it only touches the mirror.
import { AppError } from "@/lib/errors";
import { runGit } from "./git";

export async function pullRequestChange(
  mirrorPath: string,
  input: { number: number; headRef: string; baseBranch: string; timeoutMs: number },
): Promise<{ head: string; baseCommit: string; patch: string }> {
  const git = (args: string[]) => runGit(args, { cwd: mirrorPath, timeoutMs: input.timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const head = await git(["rev-parse", "--verify", "--quiet", `${input.headRef}^{commit}`]).then(
    (result) => result.stdout.trim(),
    () => null,
  );
  if (!head) throw new AppError("bad_request", `Pull request #${input.number} was not found in the repository (no ${input.headRef}).`);
  const baseCommit = await git(["merge-base", `refs/heads/${input.baseBranch}`, head]).then(
    (result) => result.stdout.trim(),
    () => null,
  );
  if (!baseCommit) {
    throw new AppError("bad_request", `Pull request #${input.number} shares no history with ${input.baseBranch}; give the branch it merges into.`);
  }
  const patch = (await git(["diff", "--binary", "--no-ext-diff", "--no-textconv", "--no-renames", baseCommit, head, "--"])).stdout;
  if (!patch) throw new AppError("bad_request", `Pull request #${input.number} changes nothing against ${input.baseBranch}.`);
  return { head, baseCommit, patch };
}
