// Moves an attempt through the state machine: a conditional UPDATE (only from allowed statuses), then a
// `status` event. Returns false when the move was not allowed (e.g. the attempt was cancelled meanwhile).
import { db, type Prisma } from "@/lib/db";
import { appendEvent } from "@/lib/timeline/append-event";
import { allowedSources, type AttemptStatusValue } from "./task-status";

export type AttemptRef = { attemptId: string; taskId: string };

export async function transitionAttempt(
  ref: AttemptRef,
  to: AttemptStatusValue,
  fields: Prisma.AttemptUpdateManyMutationInput = {},
  message?: string,
): Promise<boolean> {
  const now = new Date();
  const timing: Prisma.AttemptUpdateManyMutationInput =
    to === "completed" || to === "failed" || to === "cancelled" ? { finishedAt: now } : to === "provisioning" ? { startedAt: now } : {};
  const result = await db().attempt.updateMany({
    where: { id: ref.attemptId, status: { in: allowedSources(to) } },
    data: { ...timing, ...fields, status: to },
  });
  if (result.count === 0) return false;
  await appendEvent(ref, { type: "status", payload: { status: to, ...(message ? { message } : {}) } });
  return true;
}

export async function markAttemptFailed(ref: AttemptRef, reason: string): Promise<boolean> {
  return transitionAttempt(ref, "failed", { error: reason }, reason);
}
