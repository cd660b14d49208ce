// The worker's side of a pull request in the database: what to publish (the task's change so far, its
// turns, the environment's remote) and what came of it.
import { db, type Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enqueueAll } from "@/lib/tasks/enqueue-attempts";
import { createWithinUserLimits } from "@/lib/tasks/user-limits";
import { appendEvent } from "@/lib/timeline/append-event";
import type { BranchUpdateDto } from "./pull-request-dto";
import { taskChangeSoFar } from "@/lib/tasks/earlier-turns";
import { isTaskFinished } from "@/lib/tasks/task-queries";

export async function loadPublishWork(taskId: string) {
  const task = await db().task.findUnique({
    where: { id: taskId },
    select: {
      id: true,
      title: true,
      owner: { select: { name: true, email: true } },
      environment: { select: { repoUrl: true, repoCredential: true, forge: true, checkCommand: true } },
      pullRequest: {
        select: {
          branch: true,
          baseBranch: true,
          number: true,
          headCommit: true,
          baseCommit: true,
          turns: true,
          status: true,
          requestedAt: true,
          adopted: true,
        },
      },
      _count: { select: { turns: true } },
      // A task a comment on an issue asked for closes that issue when its PR merges.
      triggers: { where: { event: "issue_comment" }, select: { work: true }, take: 1 },
    },
  });
  if (!task?.pullRequest) return null;
  const [state, finished] = await Promise.all([taskChangeSoFar(taskId), isTaskFinished(taskId)]);
  const issue = (task.triggers[0]?.work as { number?: unknown } | undefined)?.number;
  return { ...task, pullRequest: task.pullRequest, state, finished, turnCount: task._count.turns, closesIssue: typeof issue === "number" ? issue : null };
}
export type PublishWork = NonNullable<Awaited<ReturnType<typeof loadPublishWork>>>;

export async function markPullRequestPushing(taskId: string): Promise<void> {
  // Only a PR that was never pushed shows "pushing"; a published one keeps its state meanwhile.
  await db().pullRequest.updateMany({ where: { taskId, headCommit: null }, data: { status: "pushing", error: null } });
}

/**
 * `answered` is the request this publish started for (its requestedAt): a request that came in meanwhile
 * has its own job queued, and the PR shows as publishing until that one ends too.
 */
export async function recordPullRequestPublished(
  taskId: string,
  answered: Date,
  result: {
    headCommit: string;
    /** The base commit the pushed change is on; unchanged when nothing was pushed. */
    baseCommit?: string;
    turns: number;
    status: string;
    url: string | null;
    number: number | null;
    mergeable: boolean | null;
  },
): Promise<void> {
  const forgeState: Prisma.InputJsonValue = result.mergeable === null ? {} : { mergeable: result.mergeable };
  await db().pullRequest.update({
    where: { taskId },
    data: {
      headCommit: result.headCommit,
      ...(result.baseCommit ? { baseCommit: result.baseCommit } : {}),
      turns: result.turns,
      status: result.status,
      url: result.url,
      number: result.number,
      forgeState,
      error: null,
      settledAt: answered,
    },
  });
}

/** A failed first publish fails the PR; a failed later one leaves it as it was on the forge, with the reason. */
export async function recordPullRequestFailed(taskId: string, message: string): Promise<void> {
  const row = await db().pullRequest.findUnique({ where: { taskId }, select: { headCommit: true, requestedAt: true } });
  if (!row) return;
  await db().pullRequest.update({
    where: { taskId },
    data: { error: message, settledAt: row.requestedAt, ...(row.headCommit ? {} : { status: "failed" }) },
  });
}

/** Open pull requests whose state was read longest ago, for the worker's periodic refresh from the forge. */
export async function openPullRequestsToRefresh(olderThan: Date, limit: number) {
  return db().pullRequest.findMany({
    where: { status: "open", number: { not: null }, updatedAt: { lt: olderThan } },
    orderBy: { updatedAt: "asc" },
    take: limit,
    select: { taskId: true, number: true, task: { select: { environment: { select: { repoUrl: true, forge: true } } } } },
  });
}

/** What the forge says now (merged, closed, mergeable); touches updatedAt even when nothing changed. */
export async function recordPullRequestState(
  taskId: string,
  state: { status: string; mergeable: boolean | null; checks?: "pending" | "success" | "failure" | null },
): Promise<void> {
  const forgeState = { ...(state.mergeable === null ? {} : { mergeable: state.mergeable }), ...(state.checks ? { checks: state.checks } : {}) };
  await db().pullRequest.update({ where: { taskId }, data: { status: state.status, forgeState, updatedAt: new Date() } });
}

export async function recordBranchUpdate(taskId: string, state: BranchUpdateDto): Promise<void> {
  await db().pullRequest.updateMany({ where: { taskId }, data: { branchUpdate: state } });
}

/**
 * The task's change on a newer base, as a turn of its own (no agent ran: the change applied cleanly), so
 * later follow-ups and pushes continue from there.
 */
export async function recordUpdateTurn(
  taskId: string,
  update: { baseCommit: string; patch: string; filesChanged: number; additions: number; deletions: number; message: string; prompt: string },
): Promise<void> {
  const latest = await db().turn.findFirst({ where: { taskId }, orderBy: { index: "desc" }, select: { index: true } });
  const now = new Date();
  const turn = await db().turn.create({
    data: {
      taskId,
      index: (latest?.index ?? -1) + 1,
      prompt: update.prompt,
      attempts: {
        create: {
          index: 0,
          status: "completed",
          baseCommit: update.baseCommit,
          patch: update.patch,
          filesChanged: update.filesChanged,
          additions: update.additions,
          deletions: update.deletions,
          finalMessage: update.message,
          startedAt: now,
          finishedAt: now,
        },
      },
    },
    select: { index: true, attempts: { select: { id: true } } },
  });
  const attemptId = turn.attempts[0]?.id;
  if (!attemptId) return;
  // On the timeline like any turn: what was asked, and what came of it.
  await appendEvent({ attemptId, taskId }, { type: "turn", payload: { index: turn.index, prompt: update.prompt } });
  await appendEvent({ attemptId, taskId }, { type: "status", payload: { status: "completed", message: update.message } });
}

/**
 * "Update branch" with conflicts: a turn for the agent (as the task's author, within their limits) that
 * starts from the newer base with the change applied three-way, conflict markers included, to resolve.
 * When it finishes, its result is pushed like any follow-up, as a merge of the newer base.
 */
export async function startConflictTurn(taskId: string, input: { newBase: string; baseBranch: string; files: string[] }): Promise<number> {
  const task = await db().task.findUniqueOrThrow({ where: { id: taskId }, select: { ownerId: true } });
  const latest = await db().turn.findFirst({ where: { taskId }, orderBy: { index: "desc" }, select: { index: true } });
  const files = input.files.length > 0 ? input.files.join(", ") : "some files";
  const prompt = [
    `The base branch ${input.baseBranch} moved to ${input.newBase.slice(0, 12)}, and this task's change conflicts with it in ${files}.`,
    "The workspace is now at the new base with the change applied on top; the conflicting places carry git's conflict markers (<<<<<<<, =======, >>>>>>>).",
    `Resolve every conflict so that both the change and what ${input.baseBranch} changed keep working, remove all the markers, and run the checks.`,
  ].join(" ");
  const turn = await createWithinUserLimits(task.ownerId, 1, (tx) =>
    tx.turn.create({
      data: { taskId, index: (latest?.index ?? -1) + 1, prompt, rebaseOnto: input.newBase, attempts: { create: { index: 0 } } },
      select: { index: true, attempts: { select: { id: true } } },
    }),
  );
  const attemptId = turn.attempts[0]?.id;
  if (!attemptId) throw new AppError("internal", "The conflict turn was created without an attempt.");
  await appendEvent({ attemptId, taskId }, { type: "turn", payload: { index: turn.index, prompt } });
  await enqueueAll(taskId, [attemptId]);
  return turn.index;
}
