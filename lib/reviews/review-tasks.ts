// Review mode: a task that reads a change in a sandbox (with the environment's setup, so it can run the
// tests) and reports findings through report_finding. The change is another task's, or a GitHub pull
// request's given by its address. Findings show anchored in the reviewed diff, can become a follow-up of
// the reviewed task ("Fix this"), and can be posted to the pull request as one review.
import { z } from "zod";
import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enqueuePullRequest } from "@/lib/queue/producer";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { taskChangeSoFar } from "@/lib/tasks/earlier-turns";
import { enqueueAll } from "@/lib/tasks/enqueue-attempts";
import { isTaskFinished } from "@/lib/tasks/task-queries";
import { createWithinUserLimits } from "@/lib/tasks/user-limits";
import { visibleTo } from "@/lib/tasks/task-visibility";
import { branchNameSchema } from "@/lib/environments/environment.schemas";
import { forgeSummary } from "@/lib/forge/forge-connection";
import { pullRequestNumberFromUrl } from "@/lib/forge/pull-request-address";
import { appendEvent } from "@/lib/timeline/append-event";
import { webhookSummary } from "@/lib/triggers/webhook-settings";
import { type FindingDto, type FindingInput, findingSelect, parseReviewPost, type ReviewPostDto, toFindingDto } from "./review-findings";

export const createReviewSchema = z
  .strictObject({
    mode: z.literal("review"),
    environmentId: z.string().min(1).max(64),
    /** The task whose change to review… */
    taskId: z.string().min(1).max(64).optional(),
    /** …or a pull request of the environment's repository on its forge (GitHub, GitLab, Gitea), by its address. */
    pullRequest: z.string().trim().max(2000).optional(),
    /** For a pull request: the branch it merges into (the environment's default branch when omitted). */
    branch: branchNameSchema.optional(),
    /** What to look at especially (optional). */
    prompt: z
      .string()
      .max(8 * 1024)
      .optional(),
  })
  .refine((input) => (input.taskId === undefined) !== (input.pullRequest === undefined), "Give either taskId (a task's change) or pullRequest (its URL).");

type ReviewTarget = { reviewOfTaskId: string | null; reviewPullRequest: number | null; branch: string; what: string };

export async function createReviewTask(userId: string, input: unknown): Promise<{ id: string; attemptId: string; attemptIds: string[] }> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can start a review.");
  const data = createReviewSchema.parse(input);
  const environment = await db().environment.findFirst({
    where: { id: data.environmentId, ownerId: userId },
    select: { id: true, repoUrl: true, defaultBranch: true, forge: true },
  });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  const target = data.taskId ? await reviewedTask(userId, environment.id, data.taskId) : reviewedPullRequest(environment, data.pullRequest ?? "", data.branch);
  const prompt = `Review the change of ${target.what}.${data.prompt?.trim() ? `\n\n${data.prompt.trim()}` : ""}`;
  const created = await createWithinUserLimits(userId, 1, (tx) =>
    tx.task.create({
      data: {
        ownerId: userId,
        environmentId: environment.id,
        mode: "review",
        reviewOfTaskId: target.reviewOfTaskId,
        reviewPullRequest: target.reviewPullRequest,
        prompt,
        branch: target.branch,
        title: `Review: ${target.what}`.slice(0, 80),
        turns: { create: { index: 0, prompt, attempts: { create: { index: 0 } } } },
      },
      select: { id: true, turns: { select: { attempts: { select: { id: true } } } } },
    }),
  );
  const attemptId = created.turns[0]?.attempts[0]?.id;
  if (!attemptId) throw new AppError("internal", "The review was created without an attempt.");
  await appendEvent({ attemptId, taskId: created.id }, { type: "turn", payload: { index: 0, prompt } });
  await enqueueAll(created.id, [attemptId]);
  return { id: created.id, attemptId, attemptIds: [attemptId] };
}

async function reviewedTask(userId: string, environmentId: string, taskId: string): Promise<ReviewTarget> {
  const reviewed = await db().task.findFirst({
    where: { id: taskId, environmentId, ...visibleTo(userId) },
    select: { id: true, title: true, mode: true, branch: true },
  });
  if (!reviewed) throw new AppError("not_found", "The task to review was not found in this environment.");
  if (reviewed.mode !== "code" && reviewed.mode !== "copy") throw new AppError("bad_request", `A ${reviewed.mode} task has no change to review.`);
  if (!(await isTaskFinished(reviewed.id))) throw new AppError("conflict", "The task is still running; review it when it has finished.");
  const change = await taskChangeSoFar(reviewed.id);
  if (!change.patch || !change.baseCommit) throw new AppError("bad_request", "The task changed no files, so there is nothing to review.");
  return { reviewOfTaskId: reviewed.id, reviewPullRequest: null, branch: reviewed.branch, what: `task "${reviewed.title}"` };
}

/**
 * A pull request of the environment's own repository, by its address on the environment's forge: the worker
 * reads its head from the repository (the ref the forge keeps for it) and reviews it against the base branch.
 */
function reviewedPullRequest(environment: { repoUrl: string; defaultBranch: string; forge: unknown }, url: string, branch: string | undefined): ReviewTarget {
  const number = pullRequestNumberFromUrl(forgeSummary(environment.forge)?.kind, environment.repoUrl, url);
  return { reviewOfTaskId: null, reviewPullRequest: number, branch: branch ?? environment.defaultBranch, what: `pull request #${number}` };
}

export async function recordFinding(attemptId: string, finding: FindingInput): Promise<FindingDto> {
  const row = await db().reviewFinding.create({
    data: {
      attemptId,
      severity: finding.severity,
      path: finding.path,
      startLine: finding.start_line,
      endLine: finding.end_line,
      title: finding.title,
      body: finding.explanation,
      suggestion: finding.suggestion ?? null,
    },
  });
  return toFindingDto(row);
}

/** The review task's findings from its attempt, most severe first. */
export async function reviewFindings(attemptId: string): Promise<FindingDto[]> {
  const rows = await db().reviewFinding.findMany({ where: { attemptId }, orderBy: [{ severity: "asc" }, { createdAt: "asc" }], select: findingSelect });
  return rows.map(toFindingDto);
}

/** A finding becomes a follow-up of the reviewed task: "fix this", with the finding's anchor and text. */
export async function fixFinding(userId: string, reviewTaskId: string, findingId: string) {
  const finding = await db().reviewFinding.findFirst({
    where: { id: findingId, attempt: { turn: { task: { id: reviewTaskId, ownerId: userId } } } },
    select: { ...findingSelect, attempt: { select: { turn: { select: { task: { select: { reviewOfTaskId: true } } } } } } },
  });
  if (!finding) throw new AppError("not_found", "Finding not found.");
  const reviewedId = finding.attempt.turn.task.reviewOfTaskId;
  if (!reviewedId)
    throw new AppError("bad_request", "This review is of a pull request, not of a Patchbay task: fix it on the pull request, or start a task for it.");
  const lines = finding.startLine === finding.endLine ? `line ${finding.startLine}` : `lines ${finding.startLine}–${finding.endLine}`;
  const text = [
    `Fix this review finding (${finding.severity}) in ${finding.path}, ${lines}: ${finding.title}`,
    finding.body,
    ...(finding.suggestion ? [`Suggested replacement for those lines:\n\`\`\`\n${finding.suggestion}\n\`\`\``] : []),
  ].join("\n\n");
  const outcome = await addFollowUp(userId, reviewedId, { text });
  return { taskId: reviewedId, ...outcome };
}

/** Queues posting the findings as one review: to the reviewed task's pull request, or to the reviewed pull request. */
export async function requestReviewPost(userId: string, reviewTaskId: string): Promise<ReviewPostDto> {
  const task = await db().task.findFirst({
    where: { id: reviewTaskId, ownerId: userId, mode: "review" },
    select: {
      reviewOfTaskId: true,
      reviewPullRequest: true,
      environment: { select: { forge: true } },
      turns: { orderBy: { index: "desc" }, take: 1, select: { attempts: { select: { id: true, status: true, reviewPost: true } } } },
    },
  });
  const attempt = task?.turns[0]?.attempts[0];
  if (!task || !attempt || (!task.reviewOfTaskId && task.reviewPullRequest === null)) throw new AppError("not_found", "Task not found.");
  if (attempt.status !== "completed") throw new AppError("conflict", "The review has not finished.");
  if (task.reviewOfTaskId) {
    const pullRequest = await db().pullRequest.findUnique({ where: { taskId: task.reviewOfTaskId }, select: { kind: true, number: true } });
    if (!pullRequest?.number || pullRequest.kind === "git") {
      throw new AppError("bad_request", "The reviewed task has no pull request on a forge to post the review to. Create its pull request first.");
    }
  } else if ((forgeSummary(task.environment.forge)?.kind ?? "git") === "git") {
    throw new AppError("bad_request", "The environment is no longer connected to its forge; connect it again to post the review.");
  }
  const posted = parseReviewPost(attempt.reviewPost);
  if (posted?.status === "posted") throw new AppError("conflict", `The review was already posted${posted.url ? `: ${posted.url}` : ""}.`);
  const queued: ReviewPostDto = { status: "queued" };
  await db().attempt.update({ where: { id: attempt.id }, data: { reviewPost: queued } });
  // The job runs for the reviewed task (its PR), or for the review itself when it reviewed a PR directly.
  await enqueuePullRequest(task.reviewOfTaskId ?? reviewTaskId, { postReviewOf: reviewTaskId });
  return queued;
}

/**
 * What the worker needs to post a review: its findings, summary and reviewed patch, and where it goes — the
 * reviewed task's pull request, or the reviewed pull request itself (with the head that was reviewed).
 */
export async function loadReviewPostWork(reviewTaskId: string) {
  const task = await db().task.findUnique({
    where: { id: reviewTaskId },
    select: {
      reviewOfTaskId: true,
      reviewPullRequest: true,
      environment: { select: { repoUrl: true, forge: true, webhook: true } },
      // An automatic review (a pull request webhook) posts only findings at least as severe as its setting.
      triggers: { where: { event: "pull_request" }, select: { id: true }, take: 1 },
      turns: {
        orderBy: { index: "desc" },
        take: 1,
        select: {
          attempts: {
            take: 1,
            select: { id: true, finalMessage: true, patch: true, reviewedHead: true, findings: { select: findingSelect, orderBy: { createdAt: "asc" } } },
          },
        },
      },
    },
  });
  const attempt = task?.turns[0]?.attempts[0];
  if (!task || !attempt) return null;
  const minSeverity = task.triggers.length > 0 ? webhookSummary(task.environment.webhook)?.autoReview.minSeverity : undefined;
  return {
    attemptId: attempt.id,
    summary: attempt.finalMessage,
    // P0 is the most severe: "at least P1" keeps P0 and P1.
    findings: attempt.findings.map(toFindingDto).filter((finding) => !minSeverity || finding.severity <= minSeverity),
    reviewedTaskId: task.reviewOfTaskId,
    pullRequest:
      task.reviewPullRequest !== null && attempt.reviewedHead
        ? { number: task.reviewPullRequest, head: attempt.reviewedHead, patch: attempt.patch ?? "" }
        : null,
    environment: task.environment,
  };
}

export async function recordReviewPost(attemptId: string, post: ReviewPostDto): Promise<void> {
  await db().attempt.update({ where: { id: attemptId }, data: { reviewPost: post } });
}
