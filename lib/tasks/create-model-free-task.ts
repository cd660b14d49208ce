// A task that runs without a model and without a prompt from a person ("Test setup", "Page pictures"): one
// turn, one attempt, queued at once, within the person's limits like any task.
import { AppError } from "@/lib/errors";
import type { TaskMode } from "@/lib/db";
import { appendEvent } from "@/lib/timeline/append-event";
import { enqueueAll } from "./enqueue-attempts";
import { createWithinUserLimits } from "./user-limits";

export async function createModelFreeTask(
  userId: string,
  input: { environmentId: string; branch: string; mode: Extract<TaskMode, "setup" | "pages">; title: string; prompt: string },
): Promise<{ id: string; attemptId: string }> {
  const { environmentId, branch, mode, title, prompt } = input;
  const created = await createWithinUserLimits(userId, 1, (tx) =>
    tx.task.create({
      data: { ownerId: userId, environmentId, prompt, mode, branch, title, turns: { create: { index: 0, prompt, attempts: { create: [{ index: 0 }] } } } },
      select: { id: true, turns: { select: { attempts: { select: { id: true } } } } },
    }),
  );
  const attemptId = created.turns[0]?.attempts[0]?.id;
  if (!attemptId) throw new AppError("internal", `The ${title.toLowerCase()} task was created without an attempt.`);
  await appendEvent({ attemptId, taskId: created.id }, { type: "turn", payload: { index: 0, prompt } });
  await enqueueAll(created.id, [attemptId]);
  return { id: created.id, attemptId };
}
