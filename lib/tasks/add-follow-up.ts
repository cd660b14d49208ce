// A follow-up on a finished task: a new turn with one attempt, queued like the first. The worker restores
// the task's changes so far on the base commit and continues the conversation, so the diff accumulates.
import { z } from "zod";
import { db } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { enqueueAttempt } from "@/lib/queue/producer";
import { appendEvent } from "@/lib/timeline/append-event";
import { markAttemptFailed } from "./attempt-status";
import { isFinished, type AttemptStatusValue } from "./task-status";

export function followUpSchema(maxPromptBytes: number) {
  return z.strictObject({
    text: z
      .string()
      .refine((value) => value.trim().length > 0, "The message is empty.")
      .refine((value) => Buffer.byteLength(value, "utf8") <= maxPromptBytes, `The message is larger than ${Math.round(maxPromptBytes / 1024)} KiB.`),
  });
}

export async function addFollowUp(userId: string, taskId: string, input: unknown): Promise<{ turn: number; attemptId: string }> {
  const { text } = followUpSchema(sharedEnv().PATCHBAY_MAX_PROMPT_BYTES).parse(input);
  const task = await db().task.findFirst({
    where: { id: taskId, ownerId: userId },
    select: { turns: { orderBy: { index: "desc" }, take: 1, select: { index: true, attempts: { select: { status: true } } } } },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  const latest = task.turns[0];
  if (latest?.attempts.some((attempt) => !isFinished(attempt.status as AttemptStatusValue))) {
    throw new AppError("conflict", "The task is still running. Wait for it to finish (or cancel it), then send your follow-up.");
  }
  const turn = await db().turn.create({
    data: { taskId, index: (latest?.index ?? -1) + 1, prompt: text, attempts: { create: { index: 0 } } },
    select: { index: true, attempts: { select: { id: true } } },
  });
  const attemptId = turn.attempts[0]?.id;
  if (!attemptId) throw new AppError("internal", "The follow-up was created without an attempt.");
  await appendEvent({ attemptId, taskId }, { type: "turn", payload: { index: turn.index, prompt: text } });
  try {
    await enqueueAttempt(attemptId);
  } catch (error) {
    await markAttemptFailed({ attemptId, taskId }, "Could not queue the follow-up because Redis is unreachable. Try again when the queue is back.");
    throw new AppError("internal", "Could not queue the follow-up: the queue (Redis) is unreachable.", { retryable: true, cause: error });
  }
  return { turn: turn.index, attemptId };
}
