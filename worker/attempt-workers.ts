// The BullMQ workers that take attempts: one per queue this worker's labels serve (lib/workers/
// worker-labels.ts), sharing the machine's slots. BullMQ counts concurrency per queue, so with more than
// one queue the slots are kept here: once all are busy every queue's worker is paused (it stops taking
// jobs; running ones go on), and resumed when one frees. A job that still arrives while the slots are
// full (a fetch already under way when the last slot filled) goes back to its queue at once, for this
// worker or another, without counting as an attempt.
import { DelayedError, type Job, Worker, type WorkerOptions } from "bullmq";
import { attemptQueuesServedBy } from "@/lib/workers/worker-labels";

export type AttemptWorkers = { workers: Worker[]; close(): Promise<void> };

export function startAttemptWorkers(input: {
  labels: readonly string[];
  slots: number;
  process: (job: Job, token?: string) => Promise<void>;
  options: Omit<WorkerOptions, "concurrency">;
}): AttemptWorkers {
  const queues = attemptQueuesServedBy(input.labels);
  if (queues.length === 1) {
    const worker = new Worker(queues[0] as string, input.process, { ...input.options, concurrency: input.slots });
    return { workers: [worker], close: () => worker.close() };
  }
  let busy = 0;
  let closing = false;
  const workers: Worker[] = [];
  // Pausing and resuming are asynchronous: chained, so a resume can never overtake the pause before it.
  let switching = Promise.resolve();
  const all = (action: (worker: Worker) => Promise<void>) => {
    switching = switching.then(() => Promise.all(workers.map((worker) => action(worker).catch(() => undefined)))).then(() => undefined);
  };
  const gated = async (job: Job, token?: string) => {
    if (busy >= input.slots) {
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    busy += 1;
    if (busy === input.slots) all((worker) => worker.pause(true));
    try {
      await input.process(job, token);
    } finally {
      busy -= 1;
      if (busy === input.slots - 1 && !closing) all((worker) => worker.resume());
    }
  };
  for (const queue of queues) workers.push(new Worker(queue, gated, { ...input.options, concurrency: input.slots }));
  return {
    workers,
    async close() {
      closing = true;
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
