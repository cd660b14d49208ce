import { parseStoredSetupReport } from "@/lib/environments/setup-report";
import { toScreenshotsDto } from "@/lib/artifacts/screenshots-dto";
import { db, type Prisma } from "@/lib/db";
import { workerServes, waitingForLabelsMessage } from "@/lib/workers/worker-labels";
import { liveWorkerLabels } from "@/lib/workers/worker-status";
import { AppError } from "@/lib/errors";
import { parseCopyChanges } from "@/lib/copy/copy-request";
import { wordDiff } from "@/lib/copy/word-diff";
import { chooseAttempt, recommendAttempt } from "./choose-attempt";
import { addedMarkup } from "@/lib/copy/added-markup";
import { copywriterView } from "./copywriter-view";
import { type PullRequestRow, pullRequestSelect, toPullRequestDto } from "@/lib/pull-requests/pull-request-dto";
import { findingSelect, parseReviewPost, toFindingDto } from "@/lib/reviews/review-findings";
import { visibleTo } from "./task-visibility";
import type { AttemptDto, TaskDto } from "./task.schemas";
import { taskStatusOfAttempts } from "./task-status";

const FINDING_ORDER: Prisma.ReviewFindingOrderByWithRelationInput[] = [{ severity: "asc" }, { createdAt: "asc" }];

const attemptSelect = {
  id: true,
  index: true,
  status: true,
  error: true,
  workerLabels: true,
  baseCommit: true,
  finalMessage: true,
  filesChanged: true,
  additions: true,
  deletions: true,
  inputTokens: true,
  outputTokens: true,
  costUsd: true,
  steps: true,
  checkPassed: true,
  previewReport: true,
  // Only the pruned ones: their pictures are reported as removed.
  artifacts: { where: { prunedAt: { not: null } }, select: { id: true } },
  copyChanges: true,
  setup: true,
  findings: { select: findingSelect, orderBy: FINDING_ORDER },
  reviewPost: true,
  startedAt: true,
  finishedAt: true,
} as const;

const taskSelect = {
  id: true,
  title: true,
  prompt: true,
  mode: true,
  branch: true,
  reviewOfTaskId: true,
  reviewPullRequest: true,
  createdAt: true,
  updatedAt: true,
  environment: { select: { id: true, name: true } },
  owner: { select: { email: true } },
  // No `_count` of turns here: Prisma counts a relation by grouping the whole Turn table and joining
  // the result, which grows with every task in the database (turnCounts counts only these tasks').
  pullRequest: { select: pullRequestSelect },
  turns: {
    orderBy: { index: "desc" },
    take: 1,
    select: { selectedAttemptId: true, attempts: { orderBy: { index: "asc" }, select: attemptSelect } },
  },
} as const;

type AttemptRow = Omit<AttemptDto, "startedAt" | "finishedAt" | "screenshots" | "copyChanges" | "setup" | "findings" | "reviewPost"> & {
  setup: unknown;
  findings: Parameters<typeof toFindingDto>[0][];
  reviewPost: unknown;
  previewReport: unknown;
  artifacts: { id: string }[];
  copyChanges: unknown;
  startedAt: Date | null;
  finishedAt: Date | null;
};

type TaskRow = {
  id: string;
  title: string;
  prompt: string;
  mode: string;
  branch: string;
  reviewOfTaskId: string | null;
  reviewPullRequest: number | null;
  createdAt: Date;
  updatedAt: Date;
  environment: { id: string; name: string };
  owner: { email: string };
  pullRequest: PullRequestRow | null;
  turns: { selectedAttemptId: string | null; attempts: AttemptRow[] }[];
};

function toAttemptDto(row: AttemptRow): AttemptDto {
  const { previewReport, copyChanges, setup, artifacts, findings, reviewPost, ...rest } = row;
  return {
    ...rest,
    findings: findings.map(toFindingDto),
    reviewPost: parseReviewPost(reviewPost),
    setup: parseStoredSetupReport(setup),
    screenshots: toScreenshotsDto(previewReport, new Set(artifacts.map((artifact) => artifact.id))),
    copyChanges: parseCopyChanges(copyChanges).map((change) => ({
      ...change,
      parts: wordDiff(change.before, change.after),
      addedMarkup: addedMarkup(change.before, change.after),
    })),
    startedAt: rest.startedAt?.toISOString() ?? null,
    finishedAt: rest.finishedAt?.toISOString() ?? null,
  };
}

function toDto(row: TaskRow, turns: number): TaskDto {
  const turn = row.turns[0];
  const attempts = (turn?.attempts ?? []).map(toAttemptDto);
  const attempt = chooseAttempt(attempts, turn?.selectedAttemptId ?? null);
  const status = taskStatusOfAttempts(attempts.map((candidate) => candidate.status));
  const recommended = recommendAttempt(attempts);
  return {
    id: row.id,
    title: row.title,
    prompt: row.prompt,
    mode: row.mode,
    branch: row.branch,
    status,
    ...(status === "failed" && attempt?.error ? { error: attempt.error } : {}),
    environment: row.environment,
    author: row.owner.email,
    turns,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    attempt,
    attempts,
    selectedAttempt: attempts.find((candidate) => candidate.id === turn?.selectedAttemptId)?.index ?? null,
    recommendedAttempt: recommended?.index ?? null,
    pullRequest: row.pullRequest ? toPullRequestDto(row.pullRequest) : null,
    reviewOf: row.reviewOfTaskId,
    reviewPullRequest: row.reviewPullRequest,
  };
}

/** The viewer's role, read on every call: a demotion takes effect at once. */
async function isCopywriter(userId: string): Promise<boolean> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { role: true } });
  return user?.role === "copywriter";
}

export async function getTask(userId: string, taskId: string): Promise<TaskDto> {
  // The count runs alongside the visibility check and is dropped unless the task is visible.
  const [row, copywriter, turns] = await Promise.all([
    db().task.findFirst({ where: { id: taskId, ...visibleTo(userId) }, select: taskSelect }),
    isCopywriter(userId),
    db().turn.count({ where: { taskId } }),
  ]);
  if (!row) throw new AppError("not_found", "Task not found.");
  const dto = await withWaitingReason(toDto(row, turns));
  return copywriter ? copywriterView(dto) : dto;
}

/** A queued task whose worker labels no running worker has says so, rather than looking merely slow. */
async function withWaitingReason(dto: TaskDto): Promise<TaskDto> {
  const required = dto.attempts.find((attempt) => attempt.status === "queued" && attempt.workerLabels.length > 0)?.workerLabels;
  if (dto.status !== "queued" || !required) return dto;
  const workers = await liveWorkerLabels().catch(() => null);
  if (!workers || workers.some((labels) => workerServes(labels, required))) return dto;
  return { ...dto, waitingFor: waitingForLabelsMessage(required) };
}

export async function listTasks(userId: string, limit = 50): Promise<TaskDto[]> {
  const [ids, copywriter] = await Promise.all([newestVisibleTaskIds(userId, limit), isCopywriter(userId)]);
  if (ids.length === 0) return [];
  const [rows, turns] = await Promise.all([
    db().task.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: "desc" }, select: taskSelect }),
    turnCounts(ids),
  ]);
  return rows.map((row) => {
    const dto = toDto(row, turns.get(row.id) ?? 0);
    return copywriter ? copywriterView(dto) : dto;
  });
}

/**
 * The ids of the newest `limit` tasks the user may see, newest first. Each way of seeing a task (the OR
 * of visibleTo) is asked apart, newest first with its own limit, and the answers are merged: one query
 * with the OR (whose copy branch joins Environment) cannot walk an index in createdAt order, so Postgres
 * read and sorted every task the user can see on every page load.
 */
async function newestVisibleTaskIds(userId: string, limit: number): Promise<string[]> {
  const { OR, ...rest } = visibleTo(userId);
  const branches: Prisma.TaskWhereInput[] = OR ? OR.map((branch) => ({ AND: [rest, branch] })) : [rest];
  const found = await Promise.all(
    branches.map((where) => db().task.findMany({ where, orderBy: { createdAt: "desc" }, take: limit, select: { id: true, createdAt: true } })),
  );
  const byId = new Map(found.flat().map((row) => [row.id, row.createdAt.getTime()]));
  return [...byId.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([id]) => id);
}

/** How many turns each task has, counted through the (taskId, index) index. */
async function turnCounts(taskIds: string[]): Promise<Map<string, number>> {
  const groups = await db().turn.groupBy({ by: ["taskId"], where: { taskId: { in: taskIds } }, _count: { _all: true } });
  return new Map(groups.map((group) => [group.taskId, group._count._all]));
}

const FOR_ENGINEERS = "Copywriters review the word changes and the pictures; the code diff and the timeline are for engineers.";

/**
 * The task's patch: the latest turn's that produced one (each follow-up's diff includes the earlier
 * turns' changes). Empty when nothing changed or no attempt has produced one yet.
 */
export async function getTaskPatch(userId: string, taskId: string): Promise<string> {
  const [task, copywriter] = await Promise.all([
    db().task.findFirst({
      where: { id: taskId, ...visibleTo(userId) },
      select: {
        turns: {
          orderBy: { index: "desc" },
          select: {
            selectedAttemptId: true,
            // Which attempt is chosen needs only these; then only its patch is read, not every attempt's.
            attempts: { select: { id: true, index: true, status: true, checkPassed: true, filesChanged: true, additions: true, deletions: true } },
          },
        },
      },
    }),
    isCopywriter(userId),
  ]);
  if (!task) throw new AppError("not_found", "Task not found.");
  if (copywriter) throw new AppError("forbidden", FOR_ENGINEERS);
  for (const turn of task.turns) {
    const chosen = chooseAttempt(turn.attempts, turn.selectedAttemptId);
    if (!chosen) continue;
    const row = await db().attempt.findUnique({ where: { id: chosen.id }, select: { patch: true } });
    if (row?.patch !== null && row?.patch !== undefined) return row.patch;
  }
  return "";
}

/** Throws not_found unless the user may see the task, forbidden for a copywriter; used before streaming its events. */
export async function assertTimelineVisible(userId: string, taskId: string): Promise<void> {
  const [found, copywriter] = await Promise.all([
    db().task.findFirst({ where: { id: taskId, ...visibleTo(userId) }, select: { id: true } }),
    isCopywriter(userId),
  ]);
  if (!found) throw new AppError("not_found", "Task not found.");
  if (copywriter) throw new AppError("forbidden", FOR_ENGINEERS);
}

/** True when every attempt of the task's latest turn has finished. */
export async function isTaskFinished(taskId: string): Promise<boolean> {
  const open = await db().attempt.count({
    where: { turn: { taskId }, status: { in: ["queued", "provisioning", "running"] } },
  });
  return open === 0;
}
