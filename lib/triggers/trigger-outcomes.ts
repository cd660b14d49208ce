// What happens to a trigger after its task starts: the worker calls these when the task's attempt ends,
// when its pull request has been published and when its review has been posted, and they record the step
// and queue the reply that goes back to where the request came from.
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { forgeSummary } from "@/lib/forge/forge-connection";
import { adoptPullRequest, requestPullRequest } from "@/lib/pull-requests/pull-requests";
import { enqueueTrigger } from "@/lib/queue/producer";
import { requestReviewPost } from "@/lib/reviews/review-tasks";
import { isTaskFinished } from "@/lib/tasks/task-queries";
import { answersInThread, publishesPullRequest } from "./trigger-work";
import { appendSteps, step, type ReplyKind, type ReplyState, type TriggerStatus } from "./triggers";

/** What the worker needs to act on a trigger: the verified delivery's work and the environment it came to. */
export async function loadTriggerWork(triggerId: string) {
  return db().trigger.findUnique({
    where: { id: triggerId },
    select: {
      id: true,
      status: true,
      event: true,
      work: true,
      environment: {
        select: { id: true, ownerId: true, repoUrl: true, forge: true, webhook: true, linear: true, owner: { select: { role: true, email: true } } },
      },
    },
  });
}

/** The Patchbay account a GitHub user signed in with (their GitHub id was linked at sign-in). */
export async function userForGitHubId(githubId: number) {
  return db().user.findUnique({ where: { githubId: String(githubId) }, select: { id: true, email: true, role: true } });
}

/** The Patchbay account with this e-mail (Slack and Linear name people by their e-mail). */
export async function userForEmail(email: string) {
  return db().user.findFirst({ where: { email: { equals: email, mode: "insensitive" } }, select: { id: true, email: true, role: true } });
}

/** The same pull request at the same head reviewed already (a redelivery has its own delivery id). */
export async function alreadyReviewed(environmentId: string, number: number, headSha: string, exceptTriggerId: string): Promise<boolean> {
  const earlier = await db().trigger.count({
    where: {
      environmentId,
      event: "pull_request",
      id: { not: exceptTriggerId },
      status: { in: ["started", "done"] },
      AND: [{ work: { path: ["number"], equals: number } }, { work: { path: ["headSha"], equals: headSha } }],
    },
  });
  return earlier > 0;
}

/**
 * Whether a mention in this thread was already refused for its author (and answered). A thread is a number
 * and whether it is a pull request's: GitLab numbers issues and merge requests apart (#3 is not !3).
 */
export async function refusedInThread(environmentId: string, thread: { number: number; onPullRequest: boolean }, exceptTriggerId: string): Promise<boolean> {
  const earlier = await db().trigger.count({
    where: {
      environmentId,
      event: "issue_comment",
      id: { not: exceptTriggerId },
      reason: { startsWith: "user not allowed" },
      AND: [{ work: { path: ["number"], equals: thread.number } }, { work: { path: ["onPullRequest"], equals: thread.onPullRequest } }],
    },
  });
  return earlier > 0;
}

/** After a triggered task's attempt ends: publish its change (mention) or post its findings (review). */
export async function afterTriggeredTask(taskId: string): Promise<void> {
  const trigger = await db().trigger.findFirst({
    where: { taskId, status: "started" },
    select: { id: true, event: true, work: true, environment: { select: { ownerId: true, forge: true } } },
  });
  if (!trigger || !(await isTaskFinished(taskId))) return;
  try {
    await carryOn(trigger, taskId);
  } catch (error) {
    // Whatever stops the publish or the review post from being asked for (the remote disconnected, Redis
    // down…) ends the trigger as failed, with Retry, rather than leaving it "started" for ever.
    const message = isAppError(error) ? error.userMessage : "an internal error; check the worker log";
    await refuseTrigger(trigger.id, `failed: ${message}`, { reply: answersInThread(trigger.work), status: "failed" });
    if (!isAppError(error)) throw error;
  }
}

async function carryOn(trigger: { id: string; event: string; work: unknown; environment: { ownerId: string; forge: unknown } }, taskId: string): Promise<void> {
  // The task's attempts (a task may run several): any one that completed is its result.
  const attempts = await db().attempt.findMany({
    where: { turn: { taskId } },
    orderBy: [{ turn: { index: "desc" } }, { index: "asc" }],
    select: { status: true, filesChanged: true, error: true },
  });
  const attempt = attempts.find((entry) => entry.status === "completed") ?? attempts[0];
  if (attempt?.status !== "completed") {
    await appendSteps(trigger.id, [step("finished", attempt?.error ?? attempt?.status)], {
      status: "failed",
      reason: `failed: ${attempt?.error ?? "the task did not complete"}`,
    });
    if (answersInThread(trigger.work)) await enqueueTrigger({ triggerId: trigger.id, reply: "finished" });
    return;
  }
  const ownerId = trigger.environment.ownerId;
  if (trigger.event === "pull_request") {
    await appendSteps(trigger.id, [step("finished")]);
    await requestReviewPost(ownerId, taskId);
    await appendSteps(trigger.id, [step("posting review")]);
    return;
  }
  if (attempt.filesChanged === 0 || !publishesPullRequest(trigger.work, trigger.environment)) {
    await appendSteps(trigger.id, [step("finished", attempt.filesChanged === 0 ? "no files changed" : `${attempt.filesChanged} files changed`)], {
      status: "done",
    });
    await enqueueTrigger({ triggerId: trigger.id, reply: "finished" });
    return;
  }
  await appendSteps(trigger.id, [step("finished")]);
  // A comment on a pull request: the change goes onto that PR's branch; on an issue: a PR of its own.
  const target = (trigger.work as { pullRequest?: MentionTarget } | null)?.pullRequest;
  if (target) await adoptPullRequest(taskId, { ...target, requestedById: ownerId, kind: forgeSummary(trigger.environment.forge)?.kind ?? "github" });
  else await requestPullRequest(ownerId, taskId);
  await appendSteps(trigger.id, [step("publishing")]);
}

/** The open pull request a mention was made on, as the forge described it when the task started. */
export type MentionTarget = { number: number; url: string; headBranch: string; baseBranch: string };

export async function recordMentionTarget(triggerId: string, target: MentionTarget): Promise<void> {
  await mergeWork(triggerId, { pullRequest: target });
}

/** What the worker learnt of a Slack request: the thread its first answer started, or that it continued a task. */
export async function recordSlackThread(triggerId: string, learnt: { threadTs?: string; continued?: "follow-up" | "steer" }): Promise<void> {
  await mergeWork(triggerId, learnt);
}

/** Adds fields to a trigger's work in one statement (jsonb concatenation), so concurrent writers keep each other's. */
async function mergeWork(triggerId: string, fields: Record<string, unknown>): Promise<void> {
  await db()
    .$executeRaw`UPDATE "Trigger" SET "work" = coalesce("work", '{}'::jsonb) || ${JSON.stringify(fields)}::jsonb, "updatedAt" = now() WHERE "id" = ${triggerId}`;
}

/** After the publish a mention's task asked for has ended (opened or failed): the "finished" reply. */
export async function afterTriggeredPublish(taskId: string): Promise<void> {
  const trigger = await db().trigger.findFirst({ where: { taskId, status: "started", event: { not: "pull_request" } }, select: { id: true } });
  if (!trigger) return;
  const pullRequest = await db().pullRequest.findUnique({
    where: { taskId },
    select: { status: true, url: true, error: true, requestedAt: true, settledAt: true },
  });
  // A publish that ended early (the turn was still running) leaves the request open: the next one answers.
  if (pullRequest && (!pullRequest.settledAt || pullRequest.settledAt < pullRequest.requestedAt)) return;
  // A publish that failed after an earlier push keeps the PR's own status (an adopted PR always has one)
  // and records its error; a publish that went through clears it.
  const failed = !pullRequest || pullRequest.status === "failed" || pullRequest.error !== null;
  await appendSteps(trigger.id, [step(failed ? "publish failed" : "published", pullRequest?.error ?? pullRequest?.url)], {
    status: failed ? "failed" : "done",
    ...(failed ? { reason: `failed: ${pullRequest?.error ?? "the pull request was not published"}` } : {}),
  });
  await enqueueTrigger({ triggerId: trigger.id, reply: "finished" });
}

/** After an automatic review's findings were posted (or not): the review is the reply. */
export async function afterTriggeredReviewPost(reviewTaskId: string, post: { status: string; url?: string; error?: string }): Promise<void> {
  const trigger = await db().trigger.findFirst({ where: { taskId: reviewTaskId, status: "started", event: "pull_request" }, select: { id: true } });
  if (!trigger) return;
  const posted = post.status === "posted";
  await appendSteps(trigger.id, [step(posted ? "review posted" : "review not posted", post.url ?? post.error)], {
    status: posted ? "done" : "failed",
    ...(posted ? {} : { reason: `failed: ${post.error ?? "the review was not posted"}` }),
  });
}

/** Everything a reply is written from. */
export async function loadReplyWork(triggerId: string) {
  return db().trigger.findUnique({
    where: { id: triggerId },
    select: {
      id: true,
      status: true,
      reason: true,
      work: true,
      replies: true,
      taskId: true,
      environment: { select: { repoUrl: true, forge: true, linear: true } },
      task: {
        select: {
          title: true,
          pullRequest: { select: { url: true, status: true } },
          turns: {
            orderBy: { index: "desc" },
            take: 1,
            select: { attempts: { orderBy: { index: "desc" }, take: 1, select: { finalMessage: true, error: true, filesChanged: true, previewReport: true } } },
          },
        },
      },
    },
  });
}

/** Records one reply's state; the row is locked so the "started" and "finished" replies never overwrite each other. */
export async function recordReply(triggerId: string, state: ReplyState): Promise<void> {
  await db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "Trigger" WHERE "id" = ${triggerId} FOR UPDATE`;
    const row = await tx.trigger.findUnique({ where: { id: triggerId }, select: { replies: true } });
    const replies = (Array.isArray(row?.replies) ? row.replies : []) as ReplyState[];
    const others = replies.filter((reply) => reply.kind !== state.kind);
    await tx.trigger.update({ where: { id: triggerId }, data: { replies: [...others, state] } });
  });
  if (state.status === "sent") await appendSteps(triggerId, [step(`replied: ${state.kind}`, state.url)]);
}

/** A trigger refused by the worker (a user it cannot map, a limit…), with the reply saying why. */
export async function refuseTrigger(triggerId: string, reason: string, options: { reply: boolean; status?: TriggerStatus }): Promise<void> {
  await appendSteps(triggerId, [step(options.status ?? "refused", reason)], { status: options.status ?? "refused", reason });
  if (options.reply) await enqueueTrigger({ triggerId, reply: "refused" satisfies ReplyKind });
}
