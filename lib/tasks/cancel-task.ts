// Cancel: a queued attempt is removed from the queue and marked cancelled here; a running one is marked
// as requested and the worker running it is told over Redis (it stops the agent and removes the sandbox).
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { publishControl, removeQueuedAttempt } from "@/lib/queue/producer";
import { transitionAttempt } from "./attempt-status";
import { isFinished, type AttemptStatusValue } from "./task-status";

export async function cancelTask(userId: string, taskId: string): Promise<{ status: "cancelled" | "cancelling" }> {
  const task = await db().task.findFirst({
    where: { id: taskId, ownerId: userId },
    select: { id: true, turns: { select: { attempts: { select: { id: true, status: true, workerLabels: true } } } } },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  const open = task.turns.flatMap((turn) => turn.attempts).filter((attempt) => !isFinished(attempt.status as AttemptStatusValue));
  if (open.length === 0) throw new AppError("conflict", "The task has already finished.");

  let stillRunning = false;
  for (const attempt of open) {
    const ref = { attemptId: attempt.id, taskId };
    await db().attempt.update({ where: { id: attempt.id }, data: { cancelRequestedAt: new Date() } });
    if (attempt.status === "queued" && (await removeQueuedAttempt(attempt.id, attempt.workerLabels))) {
      await transitionAttempt(ref, "cancelled", {}, "Cancelled before it started.");
      continue;
    }
    stillRunning = true;
    await publishControl({ action: "cancel", attemptId: attempt.id });
  }
  return { status: stillRunning ? "cancelling" : "cancelled" };
}
