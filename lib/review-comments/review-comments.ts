// Review comments on a task's diff, like a code review: the task's author comments on lines, then sends
// them all at once as one follow-up turn, where the agent answers each (reply_to_comment) and the page
// shows which are resolved. One turn for N comments instead of N pushes.
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { patchFileStats } from "@/lib/pull-requests/pull-request-text";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { taskChangeSoFar } from "@/lib/tasks/earlier-turns";
import { isTaskFinished } from "@/lib/tasks/task-queries";
import { enqueuePullRequest } from "@/lib/queue/producer";
import type { CommentImportDto } from "@/lib/pull-requests/pull-request-dto";
import { visibleTo } from "@/lib/tasks/task-visibility";

export const reviewCommentSchema = z.strictObject({
  path: z.string().trim().min(1, "Which file? path is empty.").max(1000),
  line: z.number().int().min(1, "Lines are numbered from 1.").max(10_000_000),
  /** "new": the line's number after the change (added or kept lines); "old": before it (removed lines). */
  side: z.enum(["new", "old"]).default("new"),
  body: z
    .string()
    .refine((value) => value.trim().length > 0, "The comment is empty.")
    .refine((value) => Buffer.byteLength(value, "utf8") <= 8 * 1024, "A comment is at most 8 KiB."),
});

export type ReviewCommentDto = {
  id: string;
  path: string;
  line: number;
  side: "new" | "old";
  body: string;
  /** draft (not sent yet), sent (the agent is on it), resolved or unresolved (the agent's answer). */
  state: "draft" | "sent" | "resolved" | "unresolved";
  /** The turn that carried it (0-based), and its number in that turn's list. */
  turn: number | null;
  number: number | null;
  reply: string | null;
  /** The forge login of a comment pulled in from the pull request; null for one written in Patchbay. */
  author: string | null;
  createdAt: string;
};

type CommentRow = {
  id: string;
  path: string;
  line: number;
  side: string;
  body: string;
  turnIndex: number | null;
  number: number | null;
  resolved: boolean | null;
  reply: string | null;
  externalAuthor: string | null;
  createdAt: Date;
};

function toDto(row: CommentRow): ReviewCommentDto {
  const state = row.turnIndex === null ? "draft" : row.resolved === null ? "sent" : row.resolved ? "resolved" : "unresolved";
  return {
    id: row.id,
    path: row.path,
    line: row.line,
    side: row.side === "old" ? "old" : "new",
    body: row.body,
    state,
    turn: row.turnIndex,
    number: row.number,
    reply: row.reply,
    author: row.externalAuthor,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listReviewComments(userId: string, taskId: string): Promise<ReviewCommentDto[]> {
  const task = await db().task.findFirst({
    where: { id: taskId, ...visibleTo(userId) },
    select: { comments: { orderBy: { createdAt: "asc" } } },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  return task.comments.map(toDto);
}

/** A draft comment on a line of the task's diff; only the task's author reviews it (like follow-ups). */
export async function addReviewComment(userId: string, taskId: string, input: unknown): Promise<ReviewCommentDto> {
  const comment = reviewCommentSchema.parse(input);
  const task = await db().task.findFirst({ where: { id: taskId, ownerId: userId }, select: { id: true, mode: true } });
  if (!task) throw new AppError("not_found", "Task not found.");
  if (task.mode !== "code") throw new AppError("bad_request", "Only code tasks take review comments.");
  const change = await taskChangeSoFar(taskId);
  const files = patchFileStats(change.patch ?? "").map((file) => file.path);
  if (!files.includes(comment.path)) {
    throw new AppError("bad_request", `${comment.path} is not in the task's diff${files.length ? ` (files: ${files.slice(0, 10).join(", ")})` : ""}.`);
  }
  const row = await db().reviewComment.create({ data: { taskId, authorId: userId, ...comment } });
  return toDto(row);
}

/** Removes a draft; a sent comment is part of a turn's history and stays. */
export async function deleteReviewComment(userId: string, taskId: string, commentId: string): Promise<void> {
  const removed = await db().reviewComment.deleteMany({ where: { id: commentId, taskId, turnIndex: null, task: { ownerId: userId } } });
  if (removed.count === 0) throw new AppError("not_found", "No draft comment with that id on this task.");
}

/**
 * Sends every draft as one follow-up turn: the agent gets them all with their file and line, numbered, and
 * answers each with reply_to_comment. The comments carry the turn before it is queued, so the worker
 * always finds them.
 */
export async function sendReviewComments(userId: string, taskId: string): Promise<{ turn: number; attemptId: string; comments: number }> {
  const task = await db().task.findFirst({
    where: { id: taskId, ownerId: userId },
    select: { turns: { orderBy: { index: "desc" }, take: 1, select: { index: true } } },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  if (!(await isTaskFinished(taskId))) throw new AppError("conflict", "The task is still running; send the comments when it has finished.");
  const drafts = await db().reviewComment.findMany({ where: { taskId, turnIndex: null }, orderBy: { createdAt: "asc" } });
  if (drafts.length === 0) throw new AppError("bad_request", "There are no draft comments to send.");
  const turn = (task.turns[0]?.index ?? -1) + 1;
  await db().$transaction(drafts.map((draft, index) => db().reviewComment.update({ where: { id: draft.id }, data: { turnIndex: turn, number: index + 1 } })));
  try {
    const outcome = await addFollowUp(userId, taskId, { text: reviewCommentsPrompt(drafts) });
    if (outcome.turn !== turn) {
      // Another follow-up took that turn in the meantime: the comments go with the one just created.
      await db().reviewComment.updateMany({ where: { id: { in: drafts.map((draft) => draft.id) } }, data: { turnIndex: outcome.turn } });
    }
    return { turn: outcome.turn, attemptId: outcome.attemptId, comments: drafts.length };
  } catch (error) {
    // Nothing was sent: the comments are drafts again, nothing typed is lost.
    await db().reviewComment.updateMany({ where: { id: { in: drafts.map((draft) => draft.id) } }, data: { turnIndex: null, number: null } });
    throw error;
  }
}

/** The follow-up's text: every comment with its anchor, and how to answer. */
export function reviewCommentsPrompt(comments: readonly Pick<CommentRow, "path" | "line" | "side" | "body" | "externalAuthor">[]): string {
  const lines = comments.map(
    (comment, index) =>
      `${index + 1}. ${comment.path}, line ${comment.line}${comment.side === "old" ? " (a removed line, numbered as before the change)" : ""}${comment.externalAuthor ? ` (from @${comment.externalAuthor} on the pull request)` : ""}:\n${indent(comment.body.trim())}`,
  );
  return [
    `Review comments on your change (${comments.length}). Address each one in the code. Then call reply_to_comment once per comment, with its number, whether it is resolved, and a one-sentence answer.`,
    ...lines,
  ].join("\n\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n");
}

/** The comments a turn carries, by number: what reply_to_comment may answer. */
export async function commentsOfTurn(taskId: string, turnIndex: number): Promise<{ number: number; path: string; line: number }[]> {
  const rows = await db().reviewComment.findMany({
    where: { taskId, turnIndex },
    orderBy: { number: "asc" },
    select: { number: true, path: true, line: true },
  });
  return rows.flatMap((row) => (row.number === null ? [] : [{ number: row.number, path: row.path, line: row.line }]));
}

export async function recordCommentReply(taskId: string, turnIndex: number, number: number, answer: { resolved: boolean; reply: string }): Promise<boolean> {
  const updated = await db().reviewComment.updateMany({ where: { taskId, turnIndex, number }, data: { resolved: answer.resolved, reply: answer.reply } });
  return updated.count > 0;
}

/** Pulls the review comments left on the task's pull request in as drafts (the worker asks the forge). */
export async function requestForgeCommentImport(userId: string, taskId: string): Promise<CommentImportDto> {
  const task = await db().task.findFirst({ where: { id: taskId, ownerId: userId }, select: { pullRequest: { select: { kind: true, number: true } } } });
  if (!task) throw new AppError("not_found", "Task not found.");
  if (!task.pullRequest?.number || task.pullRequest.kind === "git") {
    throw new AppError("bad_request", "The task has no pull request on a forge to pull comments from (a plain git remote has none).");
  }
  const queued: CommentImportDto = { status: "queued" };
  await db().pullRequest.update({ where: { taskId }, data: { commentImport: queued } });
  await enqueuePullRequest(taskId, { importComments: true });
  return queued;
}

export type ForgeCommentDraft = { externalId: string; author: string; path: string; line: number; side: "new" | "old"; body: string };

/** Stores pulled-in comments as drafts; one already pulled in (by its forge id) is not added again. */
export async function importForgeComments(taskId: string, comments: readonly ForgeCommentDraft[]): Promise<number> {
  const task = await db().task.findUnique({ where: { id: taskId }, select: { ownerId: true } });
  if (!task) return 0;
  const created = await db().reviewComment.createMany({
    data: comments.map((comment) => ({
      taskId,
      authorId: task.ownerId,
      path: comment.path,
      line: comment.line,
      side: comment.side,
      body: comment.body,
      externalId: comment.externalId,
      externalAuthor: comment.author,
    })),
    skipDuplicates: true,
  });
  return created.count;
}

export async function recordCommentImport(taskId: string, state: CommentImportDto): Promise<void> {
  await db().pullRequest.updateMany({ where: { taskId }, data: { commentImport: state } });
}
