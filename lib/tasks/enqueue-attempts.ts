// Queues a turn's attempts, used by every way of creating work (tasks, follow-ups, copy changes).
import { AppError } from "@/lib/errors";
import { enqueueAttempt } from "@/lib/queue/producer";
import { markAttemptFailed } from "./attempt-status";

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
