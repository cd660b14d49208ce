// A message on a task. On a finished task it is a follow-up: a new turn with one attempt, queued like the
// first; the worker restores the task's changes so far on the base commit and continues the conversation,
// so the diff accumulates. On a running task it steers: stored as an event of the running attempt, which
// the agent receives at its next model call.
import { z } from "zod";
import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { createWithinUserLimits } from "./user-limits";
import { AppError } from "@/lib/errors";
import { appendEvent } from "@/lib/timeline/append-event";
import { enqueueAll } from "./enqueue-attempts";
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
    select: { mode: true, turns: { orderBy: { index: "desc" }, take: 1, select: { index: true, attempts: { select: { id: true, status: true } } } } },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  // A copy change has no agent to talk to; a new wording is a new proposal from the Copy page.
  if (task.mode === "copy") throw new AppError("bad_request", "Copy changes take no follow-up messages; propose a new change from Copy instead.");
  if (task.mode === "pages") throw new AppError("bad_request", "Page pictures take no follow-up messages; take new pictures from Copy instead.");
  // Messages run the agent again: someone since made a copywriter cannot keep using it on old tasks.
  await requireRole(userId, ["admin", "engineer"], "Your role (copywriter) can propose text changes only.");
  const latest = task.turns[0];
  const running = latest?.attempts.filter((attempt) => !isFinished(attempt.status as AttemptStatusValue)) ?? [];
  const first = running[0];
  if (latest && first) {
    // Every attempt still running (best-of-N) gets the message.
    for (const attempt of running) await appendEvent({ attemptId: attempt.id, taskId }, { type: "steer", payload: { text } });
    return { kind: "steer", turn: latest.index, attemptId: first.id };
  }
  const turn = await createWithinUserLimits(userId, 1, (tx) =>
    tx.turn.create({
      data: { taskId, index: (latest?.index ?? -1) + 1, prompt: text, attempts: { create: { index: 0 } } },
      select: { index: true, attempts: { select: { id: true } } },
    }),
  );
  const attemptId = turn.attempts[0]?.id;
  if (!attemptId) throw new AppError("internal", "The follow-up was created without an attempt.");
  await appendEvent({ attemptId, taskId }, { type: "turn", payload: { index: turn.index, prompt: text } });
  await enqueueAll(taskId, [attemptId]);
  return { kind: "follow-up", turn: turn.index, attemptId };
}
