// Submit: validate, insert Task + first Turn + Attempt (queued), then enqueue one job per attempt.
import { requireRole } from "@/lib/auth/require-role";
import { createCopyTask } from "@/lib/copy/create-copy-task";
import { createReviewTask } from "@/lib/reviews/review-tasks";
import { db } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { appendEvent } from "@/lib/timeline/append-event";
import { enqueueAll } from "./enqueue-attempts";
import { createWithinUserLimits } from "./user-limits";
import { createTaskSchema } from "./task.schemas";

export async function createTask(userId: string, input: unknown): Promise<{ id: string; attemptId: string; attemptIds: string[] }> {
  if (isCopyInput(input)) return createCopyTask(userId, input);
  if (isReviewInput(input)) return createReviewTask(userId, input);
  await requireRole(userId, ["admin", "engineer"], 'Your role (copywriter) can propose text changes only: use Copy, or send mode "copy".');
  const data = createTaskSchema(sharedEnv().PATCHBAY_MAX_PROMPT_BYTES).parse(input);
  const environment = await db().environment.findFirst({
    where: { id: data.environmentId, ownerId: userId },
    select: { id: true, defaultBranch: true },
  });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  const created = await createWithinUserLimits(userId, data.attempts, (tx) =>
    tx.task.create({
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
    }),
  );
  const attemptIds = created.turns[0]?.attempts.map((attempt) => attempt.id) ?? [];
  const attemptId = attemptIds[0];
  if (!attemptId) throw new AppError("internal", "Task was created without an attempt.");
  await appendEvent({ attemptId, taskId: created.id }, { type: "turn", payload: { index: 0, prompt: data.prompt } });
  await enqueueAll(created.id, attemptIds);
  return { id: created.id, attemptId, attemptIds };
}

function isCopyInput(input: unknown): boolean {
  return typeof input === "object" && input !== null && (input as { mode?: unknown }).mode === "copy";
}

function isReviewInput(input: unknown): boolean {
  return typeof input === "object" && input !== null && (input as { mode?: unknown }).mode === "review";
}

function titleFrom(prompt: string): string {
  const firstLine = prompt.trim().split("\n")[0] ?? "";
  return firstLine.length > 80 ? `${firstLine.slice(0, 77)}...` : firstLine;
}
