// One task = one branch = one pull request. The web records a request and queues it; the worker
// (worker/pull-requests) commits the task's change on its base commit, pushes the branch with the
// environment's forge token on the host, and opens or updates the PR. A follow-up on a task with a PR is
// pushed to the same branch when it finishes, never as a second branch or PR.
import { roleOf } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { forgeSummary } from "@/lib/forge/forge-connection";
import { enqueuePullRequest } from "@/lib/queue/producer";
import { taskChangeSoFar } from "@/lib/tasks/earlier-turns";
import { isTaskFinished } from "@/lib/tasks/task-queries";
import { visibleTo } from "@/lib/tasks/task-visibility";
import { type BranchUpdateDto, type PullRequestDto, pullRequestSelect, toPullRequestDto } from "./pull-request-dto";
import { pullRequestBranch } from "./pull-request-text";

/** The task's pull request as the viewer may see it, or null when none was requested. */
export async function getPullRequest(userId: string, taskId: string): Promise<PullRequestDto | null> {
  const task = await db().task.findFirst({ where: { id: taskId, ...visibleTo(userId) }, select: { pullRequest: { select: pullRequestSelect } } });
  if (!task) throw new AppError("not_found", "Task not found.");
  return task.pullRequest ? toPullRequestDto(task.pullRequest) : null;
}

/**
 * Creates the task's PR, or publishes its latest change again (a retry after a failure, or a refresh).
 * Engineers and admins: the task's author, or for a copywriter's change the environment's owner — the
 * engineer whose request for a PR is the approval of that change.
 */
export async function requestPullRequest(userId: string, taskId: string): Promise<PullRequestDto> {
  const task = await db().task.findFirst({
    where: { id: taskId, ...visibleTo(userId) },
    select: {
      id: true,
      title: true,
      mode: true,
      branch: true,
      ownerId: true,
      environment: { select: { forge: true } },
      pullRequest: { select: { headCommit: true } },
    },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  const role = await roleOf(userId);
  if (role === "copywriter") throw new AppError("forbidden", "An engineer reviews a text change and opens its pull request.");
  if (task.mode !== "code" && task.mode !== "copy") {
    throw new AppError("bad_request", `A ${task.mode} task changes no code, so it has nothing to put in a pull request.`);
  }
  const forge = forgeSummary(task.environment.forge);
  if (!forge) {
    throw new AppError(
      "bad_request",
      "This environment has no remote to push to. Connect one on the environment page (or PATCH /api/v1/environments/:id with forge) first.",
    );
  }
  if (!(await isTaskFinished(task.id))) throw new AppError("conflict", "The task is still running; create the pull request when it has finished.");
  const state = await taskChangeSoFar(task.id);
  if (!state.patch || !state.baseCommit) throw new AppError("bad_request", "The task changed no files, so there is nothing to put in a pull request.");

  const row = task.pullRequest
    ? await db().pullRequest.update({
        where: { taskId: task.id },
        // Once pushed, the status stays the PR's own (open, merged…) while the next push is on its way.
        data: { error: null, requestedAt: new Date(), ...(task.pullRequest.headCommit ? {} : { status: "queued" }) },
        select: pullRequestSelect,
      })
    : await db().pullRequest.create({
        data: {
          taskId: task.id,
          requestedById: userId,
          kind: forge.kind,
          branch: pullRequestBranch(task.title, task.id),
          baseBranch: task.branch,
          status: "queued",
        },
        select: pullRequestSelect,
      });
  try {
    await enqueuePullRequest(task.id);
  } catch (error) {
    // Never left "queued" with no job behind it: the page says what happened and offers the retry.
    const message = "Could not queue the pull request because Redis is unreachable. Try again when the queue is back.";
    await db().pullRequest.update({ where: { taskId: task.id }, data: { status: "failed", error: message } });
    throw new AppError("internal", message, { retryable: true, cause: error });
  }
  return toPullRequestDto(row);
}

/**
 * "Update branch": bring the task's branch up to date with its base branch, as GitHub's own button does — a
 * merge of the base branch's head, pushed as the branch's next commit. The worker does it.
 */
export async function requestBranchUpdate(userId: string, taskId: string): Promise<BranchUpdateDto> {
  const task = await db().task.findFirst({
    where: { id: taskId, ownerId: userId },
    select: { pullRequest: { select: { headCommit: true, status: true, adopted: true } } },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  const pr = task.pullRequest;
  // The task's change is only the agent's part of someone else's branch: merged onto the new base alone, it
  // would drop the author's own commits. Its author brings their branch up to date.
  if (pr?.adopted) throw new AppError("bad_request", "This pull request is someone else's branch: its author updates it with its base branch, not Patchbay.");
  if (!pr?.headCommit) throw new AppError("bad_request", "The task's branch has not been pushed yet; create its pull request first.");
  if (pr.status === "merged" || pr.status === "closed") throw new AppError("conflict", `The pull request is ${pr.status}; its branch takes no more commits.`);
  if (!(await isTaskFinished(taskId))) throw new AppError("conflict", "The task is still running; update the branch when it has finished.");
  const queued: BranchUpdateDto = { status: "queued" };
  await db().pullRequest.update({ where: { taskId }, data: { branchUpdate: queued } });
  await enqueuePullRequest(taskId, { updateBranch: true });
  return queued;
}

/** After a follow-up finishes: a task with a PR gets the new change pushed to the same branch. */
export async function republishIfPullRequest(taskId: string): Promise<boolean> {
  const existing = await db().pullRequest.findUnique({ where: { taskId }, select: { status: true } });
  if (!existing || existing.status === "merged" || existing.status === "closed") return false;
  await db().pullRequest.update({ where: { taskId }, data: { requestedAt: new Date() } });
  await enqueuePullRequest(taskId);
  return true;
}

/**
 * A comment on someone else's open pull request asked for this task: its change becomes the next commit of
 * that PR's branch. The PR is recorded as Patchbay's to push to (from the commit the task started on, so
 * a push never overwrites what its author pushed meanwhile) but not to retitle (`adopted`).
 */
export async function adoptPullRequest(
  taskId: string,
  target: { requestedById: string; kind: string; number: number; url: string; headBranch: string; baseBranch: string },
): Promise<void> {
  const { baseCommit } = await taskChangeSoFar(taskId);
  if (!baseCommit) throw new AppError("bad_request", "The task has no base commit, so there is nothing to push.");
  await db().pullRequest.create({
    data: {
      taskId,
      requestedById: target.requestedById,
      kind: target.kind,
      branch: target.headBranch,
      baseBranch: target.baseBranch,
      status: "open",
      url: target.url,
      number: target.number,
      headCommit: baseCommit,
      baseCommit,
      adopted: true,
    },
  });
  await enqueuePullRequest(taskId);
}
