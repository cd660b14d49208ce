// A message on a task. On a finished task it is a follow-up: a new turn with one attempt, queued like the
// first; the worker restores the task's changes so far on the base commit and continues the conversation,
// so the diff accumulates. On a running task it steers: stored as an event of the running attempt, which
// the agent receives at its next model call.
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

export type MessageOutcome = { kind: "follow-up"; turn: number; attemptId: string } | { kind: "steer"; turn: number; attemptId: string };

export async function addFollowUp(userId: string, taskId: string, input: unknown): Promise<MessageOutcome> {
  const { text } = followUpSchema(sharedEnv().PATCHBAY_MAX_PROMPT_BYTES).parse(input);
  const task = await db().task.findFirst({
    where: { id: taskId, ownerId: userId },
    select: { turns: { orderBy: { index: "desc" }, take: 1, select: { index: true, attempts: { select: { id: true, status: true } } } } },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  const latest = task.turns[0];
  const running = latest?.attempts.find((attempt) => !isFinished(attempt.status as AttemptStatusValue));
  if (latest && running) {
    await appendEvent({ attemptId: running.id, taskId }, { type: "steer", payload: { text } });
    return { kind: "steer", turn: latest.index, attemptId: running.id };
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
  return { kind: "follow-up", turn: turn.index, attemptId };
}
