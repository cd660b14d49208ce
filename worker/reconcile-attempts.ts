// Keeps Postgres true when a job ends outside the processor: BullMQ gave up on a stalled job (its worker
// was killed more often than maxStalledCount allows), or the job vanished from Redis. Such attempts are
// marked failed with a reason instead of showing "running" forever.
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { workerHeartbeatKey } from "@/lib/queue/contracts";
import { markAttemptFailed } from "@/lib/tasks/attempt-status";
import { listUnfinishedAttempts } from "@/lib/tasks/attempt-work";

export const WORKER_LOST_MESSAGE = "The worker running this attempt stopped (crash or restart) and it could not be resumed. Run the task again.";

/** `queueFor` gives the queue an attempt was put on, from its worker labels (lib/workers/worker-labels.ts). */
export async function reconcileAttempts(queueFor: (workerLabels: readonly string[]) => Queue, redis: Redis, olderThanMs = 60_000): Promise<string[]> {
  const candidates = await listUnfinishedAttempts(new Date(Date.now() - olderThanMs));
  const failed: string[] = [];
  for (const attempt of candidates) {
    const job = await queueFor(attempt.workerLabels).getJob(attempt.id);
    const state = job ? await job.getState() : "missing";
    if (state === "waiting" || state === "delayed" || state === "prioritized" || state === "waiting-children") continue;
    if (state === "active") {
      // BullMQ's stalled check recovers an active job whose worker died; only step in when that cannot happen.
      continue;
    }
    if (state === "completed" && attempt.workerId && (await redis.exists(workerHeartbeatKey(attempt.workerId)))) continue;
    const reason = state === "failed" && job?.failedReason && !job.failedReason.includes("stalled") ? lastLine(job.failedReason) : WORKER_LOST_MESSAGE;
    if (await markAttemptFailed({ attemptId: attempt.id, taskId: attempt.turn.taskId }, reason)) failed.push(attempt.id);
  }
  return failed;
}

/**
 * A job can fail before the processor could word its error (the database was down when it read the
 * attempt): such reasons are library messages with source excerpts. Their last line is the cause.
 */
function lastLine(reason: string): string {
  const lines = reason.split("\n").map((line) => line.trim());
  return (lines.filter(Boolean).at(-1) ?? reason).slice(0, 500);
}
