// Moves an attempt through the state machine: a conditional UPDATE (only from allowed statuses) and a
// `status` event, in one transaction. Returns false when the move was not allowed (e.g. the attempt was cancelled meanwhile).
import { db, type Prisma } from "@/lib/db";
import { insertEvent, publishEvent, retryOnSeqConflict } from "@/lib/timeline/append-event";
import { allowedSources, type AttemptStatusValue } from "./task-status";
import { redactDeep } from "@/lib/redact";

export type AttemptRef = {
  attemptId: string;
  taskId: string;
  /**
   * The attempt's redactor (the model key, the environment's secrets). Every string a transition stores
   * (error, final message, check output, preview logs, patch) or publishes goes through it, not only
   * the tool events the worker's event sink redacts.
   */
  redact?: (text: string) => string;
};

export async function transitionAttempt(
  ref: AttemptRef,
  to: AttemptStatusValue,
  fields: Prisma.AttemptUpdateManyMutationInput = {},
  message?: string,
): Promise<boolean> {
  const now = new Date();
  const timing: Prisma.AttemptUpdateManyMutationInput =
    to === "completed" || to === "failed" || to === "cancelled" ? { finishedAt: now } : to === "provisioning" ? { startedAt: now } : {};
  const stored = ref.redact ? redactDeep(fields, ref.redact) : fields;
  const shown = message && ref.redact ? ref.redact(message) : message;
  // The new status and its event commit together: whoever sees the attempt finished finds its last event.
  const event = await retryOnSeqConflict(() =>
    db().$transaction(async (tx) => {
      const result = await tx.attempt.updateMany({
        where: { id: ref.attemptId, status: { in: allowedSources(to) } },
        data: { ...timing, ...stored, status: to },
      });
      if (result.count === 0) return null;
      return insertEvent(tx, ref.attemptId, { type: "status", payload: { status: to, ...(shown ? { message: shown } : {}) } });
    }),
  );
  if (!event) return false;
  await publishEvent(ref.taskId, event);
  return true;
}

export async function markAttemptFailed(ref: AttemptRef, reason: string): Promise<boolean> {
  return transitionAttempt(ref, "failed", { error: reason }, reason);
}
