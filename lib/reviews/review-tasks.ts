// Review mode: a task that reads another task's change in a sandbox (with the environment's setup, so it
// can run the tests) and reports findings through report_finding. Findings show anchored in the reviewed
// diff, can become a follow-up of the reviewed task ("Fix this"), and can be posted to its pull request
// as one review.
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
import { appendEvent } from "@/lib/timeline/append-event";
import { type FindingDto, type FindingInput, findingSelect, parseReviewPost, type ReviewPostDto, toFindingDto } from "./review-findings";

export const createReviewSchema = z.strictObject({
  mode: z.literal("review"),
  environmentId: z.string().min(1).max(64),
  /** The task whose change to review. */
  taskId: z.string().min(1, "taskId is required: the task whose change to review.").max(64),
  /** What to look at especially (optional). */
  prompt: z
    .string()
    .max(8 * 1024)
    .optional(),
});

export async function createReviewTask(userId: string, input: unknown): Promise<{ id: string; attemptId: string; attemptIds: string[] }> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can start a review.");
  const data = createReviewSchema.parse(input);
  const reviewed = await db().task.findFirst({
    where: { id: data.taskId, environmentId: data.environmentId, ...visibleTo(userId) },
    select: { id: true, title: true, mode: true, branch: true, environment: { select: { ownerId: true } } },
  });
  if (!reviewed) throw new AppError("not_found", "The task to review was not found in this environment.");
  if (reviewed.environment.ownerId !== userId) throw new AppError("not_found", "Environment not found.");
  if (reviewed.mode !== "code" && reviewed.mode !== "copy") throw new AppError("bad_request", `A ${reviewed.mode} task has no change to review.`);
  if (!(await isTaskFinished(reviewed.id))) throw new AppError("conflict", "The task is still running; review it when it has finished.");
  const change = await taskChangeSoFar(reviewed.id);
  if (!change.patch || !change.baseCommit) throw new AppError("bad_request", "The task changed no files, so there is nothing to review.");
  const prompt = `Review the change of task "${reviewed.title}".${data.prompt?.trim() ? `\n\n${data.prompt.trim()}` : ""}`;
  const created = await createWithinUserLimits(userId, 1, (tx) =>
    tx.task.create({
      data: {
        ownerId: userId,
        environmentId: data.environmentId,
        mode: "review",
        reviewOfTaskId: reviewed.id,
        prompt,
        branch: reviewed.branch,
        title: `Review: ${reviewed.title}`.slice(0, 80),
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
  const reviewedId = finding?.attempt.turn.task.reviewOfTaskId;
  if (!finding || !reviewedId) throw new AppError("not_found", "Finding not found.");
  const lines = finding.startLine === finding.endLine ? `line ${finding.startLine}` : `lines ${finding.startLine}–${finding.endLine}`;
  const text = [
    `Fix this review finding (${finding.severity}) in ${finding.path}, ${lines}: ${finding.title}`,
    finding.body,
    ...(finding.suggestion ? [`Suggested replacement for those lines:\n\`\`\`\n${finding.suggestion}\n\`\`\``] : []),
  ].join("\n\n");
  const outcome = await addFollowUp(userId, reviewedId, { text });
  return { taskId: reviewedId, ...outcome };
}

/** Queues posting the findings to the reviewed task's pull request as one review (GitHub). */
export async function requestReviewPost(userId: string, reviewTaskId: string): Promise<ReviewPostDto> {
  const task = await db().task.findFirst({
    where: { id: reviewTaskId, ownerId: userId, mode: "review" },
    select: {
      reviewOfTaskId: true,
      turns: { orderBy: { index: "desc" }, take: 1, select: { attempts: { select: { id: true, status: true, reviewPost: true } } } },
    },
  });
  const attempt = task?.turns[0]?.attempts[0];
  if (!task?.reviewOfTaskId || !attempt) throw new AppError("not_found", "Task not found.");
  if (attempt.status !== "completed") throw new AppError("conflict", "The review has not finished.");
  const pullRequest = await db().pullRequest.findUnique({ where: { taskId: task.reviewOfTaskId }, select: { kind: true, number: true } });
  if (!pullRequest?.number || pullRequest.kind !== "github") {
    throw new AppError("bad_request", "The reviewed task has no pull request on GitHub to post the review to. Create its pull request first.");
  }
  const posted = parseReviewPost(attempt.reviewPost);
  if (posted?.status === "posted") throw new AppError("conflict", `The review was already posted${posted.url ? `: ${posted.url}` : ""}.`);
  const queued: ReviewPostDto = { status: "queued" };
  await db().attempt.update({ where: { id: attempt.id }, data: { reviewPost: queued } });
  await enqueuePullRequest(task.reviewOfTaskId, { postReviewOf: reviewTaskId });
  return queued;
}

/** What the worker needs to post a review: the review's findings and summary, and the reviewed task's PR. */
export async function loadReviewPostWork(reviewTaskId: string) {
  const task = await db().task.findUnique({
    where: { id: reviewTaskId },
    select: {
      reviewOfTaskId: true,
      turns: {
        orderBy: { index: "desc" },
        take: 1,
        select: { attempts: { take: 1, select: { id: true, finalMessage: true, findings: { select: findingSelect, orderBy: { createdAt: "asc" } } } } },
      },
    },
  });
  const attempt = task?.turns[0]?.attempts[0];
  if (!task?.reviewOfTaskId || !attempt) return null;
  return { attemptId: attempt.id, summary: attempt.finalMessage, findings: attempt.findings.map(toFindingDto), reviewedTaskId: task.reviewOfTaskId };
}

export async function recordReviewPost(attemptId: string, post: ReviewPostDto): Promise<void> {
  await db().attempt.update({ where: { id: attemptId }, data: { reviewPost: post } });
}
