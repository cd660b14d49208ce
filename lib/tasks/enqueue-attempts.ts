// Queues a turn's attempts, used by every way of creating work (tasks, follow-ups, copy changes).
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enqueueAttempt } from "@/lib/queue/producer";
import { markAttemptFailed } from "./attempt-status";

/**
 * One job per attempt, on the queue of the worker labels its environment requires (copied onto the
 * attempt, so a later change of the environment's labels cannot lose it). A dead Redis leaves every
 * attempt failed with a reason, never stuck in "queued".
 */
export async function enqueueAll(taskId: string, attemptIds: readonly string[]): Promise<void> {
  const task = await db().task.findUniqueOrThrow({ where: { id: taskId }, select: { environment: { select: { workerLabels: true } } } });
  const workerLabels = task.environment.workerLabels;
  if (workerLabels.length > 0) await db().attempt.updateMany({ where: { id: { in: [...attemptIds] } }, data: { workerLabels } });
  try {
    for (const attemptId of attemptIds) await enqueueAttempt(attemptId, workerLabels);
  } catch (error) {
    for (const attemptId of attemptIds) {
      await markAttemptFailed({ attemptId, taskId }, "Could not queue the task because Redis is unreachable. Try again when the queue is back.");
    }
    throw new AppError("internal", "Could not queue the task: the queue (Redis) is unreachable.", { retryable: true, cause: error });
  }
}
