// Submit: validate, insert Task + first Turn + Attempt (queued), then enqueue one job per attempt.
import { db } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { enqueueAttempt } from "@/lib/queue/producer";
import { appendEvent } from "@/lib/timeline/append-event";
import { markAttemptFailed } from "./attempt-status";
import { createTaskSchema } from "./task.schemas";

export async function createTask(userId: string, input: unknown): Promise<{ id: string; attemptId: string; attemptIds: string[] }> {
  const data = createTaskSchema(sharedEnv().PATCHBAY_MAX_PROMPT_BYTES).parse(input);
  const environment = await db().environment.findFirst({
    where: { id: data.environmentId, ownerId: userId },
    select: { id: true, defaultBranch: true },
  });
  if (!environment) throw new AppError("not_found", "Environment not found.");

  const created = await db().task.create({
    data: {
      ownerId: userId,
      environmentId: environment.id,
      prompt: data.prompt,
      mode: data.mode,
      reasoningEffort: data.reasoningEffort ?? null,
      branch: data.branch ?? environment.defaultBranch,
      title: titleFrom(data.prompt),
      turns: { create: { index: 0, prompt: data.prompt, attempts: { create: Array.from({ length: data.attempts }, (_, index) => ({ index })) } } },
    },
    select: { id: true, turns: { select: { attempts: { orderBy: { index: "asc" }, select: { id: true } } } } },
  });
  const attemptIds = created.turns[0]?.attempts.map((attempt) => attempt.id) ?? [];
  const attemptId = attemptIds[0];
  if (!attemptId) throw new AppError("internal", "Task was created without an attempt.");
  await appendEvent({ attemptId, taskId: created.id }, { type: "turn", payload: { index: 0, prompt: data.prompt } });
  await enqueueAll(created.id, attemptIds);
  return { id: created.id, attemptId, attemptIds };
}

/** One job per attempt. A dead Redis leaves every attempt failed with a reason, never stuck in "queued". */
export async function enqueueAll(taskId: string, attemptIds: readonly string[]): Promise<void> {
  try {
    for (const attemptId of attemptIds) await enqueueAttempt(attemptId);
  } catch (error) {
    for (const attemptId of attemptIds) {
      await markAttemptFailed({ attemptId, taskId }, "Could not queue the task because Redis is unreachable. Try again when the queue is back.");
    }
    throw new AppError("internal", "Could not queue the task: the queue (Redis) is unreachable.", { retryable: true, cause: error });
  }
}

function titleFrom(prompt: string): string {
  const firstLine = prompt.trim().split("\n")[0] ?? "";
  return firstLine.length > 80 ? `${firstLine.slice(0, 77)}...` : firstLine;
}
