// Enqueues attempts and publishes live events/control messages. Used by the web (submit, cancel) and
// the worker (events). Connections are created once per process.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { sharedEnv } from "@/lib/env";
import { createRedis } from "./connection";
import { ATTEMPTS_QUEUE, attemptJobSchema, CONTROL_CHANNEL, type ControlMessage } from "./contracts";

let queue: Queue | undefined;
let publisher: Redis | undefined;

function redisUrl(): string {
  return sharedEnv().REDIS_URL;
}

export function attemptsQueue(): Queue {
  queue ??= new Queue(ATTEMPTS_QUEUE, {
    connection: createRedis(redisUrl(), "client"),
    defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000, attempts: 1 },
  });
  return queue;
}

export function redisPublisher(): Redis {
  publisher ??= createRedis(redisUrl(), "client");
  return publisher;
}

/** jobId = attemptId makes a duplicate enqueue a no-op. */
export async function enqueueAttempt(attemptId: string): Promise<void> {
  const data = attemptJobSchema.parse({ attemptId });
  await attemptsQueue().add("run-attempt", data, { jobId: attemptId });
}

export async function removeQueuedAttempt(attemptId: string): Promise<boolean> {
  const job = await attemptsQueue().getJob(attemptId);
  if (!job) return false;
  const state = await job.getState();
  if (state !== "waiting" && state !== "delayed" && state !== "prioritized") return false;
  await job.remove().catch(() => undefined);
  return true;
}

export async function publishControl(message: ControlMessage): Promise<void> {
  await redisPublisher().publish(CONTROL_CHANNEL, JSON.stringify(message));
}

export async function closeProducer(): Promise<void> {
  await queue?.close();
  queue = undefined;
  publisher?.disconnect();
  publisher = undefined;
}
