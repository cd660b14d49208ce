// Enqueues attempts and publishes live events/control messages. Used by the web (submit, cancel) and
// the worker (events). Connections are created once per process.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { sharedEnv } from "@/lib/env";
import { createRedis } from "./connection";
import { attemptsQueueFor } from "@/lib/workers/worker-labels";
import {
  attemptJobSchema,
  catalogJobId,
  catalogJobSchema,
  CONTROL_CHANNEL,
  COPY_CATALOG_QUEUE,
  type ControlMessage,
  PULL_REQUESTS_QUEUE,
  pullRequestJobSchema,
  REPLY_ATTEMPTS,
  TRIGGERS_QUEUE,
  triggerJobSchema,
  type TriggerJob,
} from "./contracts";

const attemptQueues = new Map<string, Queue>();
let catalogQueue: Queue | undefined;
let pullRequestQueue: Queue | undefined;
let triggerQueue: Queue | undefined;
let publisher: Redis | undefined;
// BullMQ leaves a connection it was given open on close(): these are closed here, or a script never exits.
const queueConnections: Redis[] = [];

function queueConnection(): Redis {
  const connection = createRedis(redisUrl(), "client");
  queueConnections.push(connection);
  return connection;
}

function redisUrl(): string {
  return sharedEnv().REDIS_URL;
}

/** The queue of attempts whose environment requires these worker labels (none: the plain queue). */
export function attemptsQueue(workerLabels: readonly string[] = []): Queue {
  const name = attemptsQueueFor(workerLabels);
  let queue = attemptQueues.get(name);
  if (!queue) {
    queue = quietOnOutage(new Queue(name, { connection: queueConnection(), defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000, attempts: 1 } }));
    attemptQueues.set(name, queue);
  }
  return queue;
}

/**
 * A Queue re-emits its connection's errors, and BullMQ prints them when nobody listens. The connection
 * already reports an outage once (createRedis); a failed command rejects to its caller.
 */
function quietOnOutage(created: Queue): Queue {
  created.on("error", () => undefined);
  return created;
}

export function copyCatalogQueue(): Queue {
  catalogQueue ??= quietOnOutage(
    new Queue(COPY_CATALOG_QUEUE, {
      connection: queueConnection(),
      // Finished builds are removed so the next request for the environment can reuse the job id.
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 100, attempts: 1 },
    }),
  );
  return catalogQueue;
}

export function pullRequestsQueue(): Queue {
  pullRequestQueue ??= quietOnOutage(
    new Queue(PULL_REQUESTS_QUEUE, {
      connection: queueConnection(),
      defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 1000, attempts: 1 },
    }),
  );
  return pullRequestQueue;
}

/**
 * Publishes a task's pull request. One job per task at a time: a request while one waits joins it, and a
 * request while one runs (a follow-up finished meanwhile) starts another right after it, so the last
 * change is always pushed and two pushes of one branch never race.
 */
export async function enqueuePullRequest(taskId: string, options: { postReviewOf?: string; importComments?: true; updateBranch?: true } = {}): Promise<void> {
  const data = pullRequestJobSchema.parse({ taskId, ...options });
  // A review post, a comment import or a branch update is a job of its own, never folded into a publish.
  const [name, id] = options.postReviewOf
    ? ["post-review", `review-${options.postReviewOf}`]
    : options.importComments
      ? ["import-comments", `comments-${taskId}`]
      : options.updateBranch
        ? ["update-branch", `update-${taskId}`]
        : ["publish-pull-request", `pr-${taskId}`];
  await pullRequestsQueue().add(name, data, { deduplication: { id, keepLastIfActive: true } });
}

export function triggersQueue(): Queue {
  triggerQueue ??= quietOnOutage(
    new Queue(TRIGGERS_QUEUE, { connection: queueConnection(), defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 1000, attempts: 1 } }),
  );
  return triggerQueue;
}

/**
 * Acts on a trigger, or sends one of its replies. A reply is one job per trigger and kind (a second request
 * joins it) and is retried with exponential backoff: 1 s, 2 s, 4 s… up to REPLY_ATTEMPTS tries.
 */
export async function enqueueTrigger(job: TriggerJob): Promise<void> {
  const data = triggerJobSchema.parse(job);
  if ("notice" in data) {
    await triggersQueue().add("send-notice", data, { attempts: REPLY_ATTEMPTS, backoff: { type: "exponential", delay: 1000 } });
    return;
  }
  if (!data.reply) {
    await triggersQueue().add("run-trigger", data, { deduplication: { id: `trigger-${data.triggerId}` } });
    return;
  }
  await triggersQueue().add("send-reply", data, {
    deduplication: { id: `reply-${data.triggerId}-${data.reply}` },
    attempts: REPLY_ATTEMPTS,
    backoff: { type: "exponential", delay: 1000 },
  });
}

export type CatalogBuildState = { state: "idle" } | { state: "building"; message?: string } | { state: "failed"; message: string };

/** A build still waiting after this long most likely has no worker to run it. */
const NO_WORKER_AFTER_MS = 30_000;

/** Whether a catalog build for the environment is queued or running, or how the last one failed. */
export async function catalogBuildState(environmentId: string): Promise<CatalogBuildState> {
  const job = await copyCatalogQueue().getJob(catalogJobId(environmentId));
  if (!job) return { state: "idle" };
  const state = await job.getState();
  if (state === "failed") return { state: "failed", message: job.failedReason || "The catalog could not be built." };
  if (state === "completed" || state === "unknown") return { state: "idle" };
  if (state !== "active" && Date.now() - job.timestamp > NO_WORKER_AFTER_MS) {
    return { state: "building", message: "Still waiting for a worker to read the repository. Is the Patchbay worker running?" };
  }
  return { state: "building" };
}

/** Starts a build unless one is queued or running; a failed one is replaced. */
export async function enqueueCatalogBuild(environmentId: string): Promise<void> {
  const data = catalogJobSchema.parse({ environmentId });
  const jobId = catalogJobId(environmentId);
  const existing = await copyCatalogQueue().getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== "failed" && state !== "completed") return;
    await existing.remove().catch(() => undefined);
  }
  await copyCatalogQueue().add("build-catalog", data, { jobId });
}

export function redisPublisher(): Redis {
  publisher ??= createRedis(redisUrl(), "client");
  return publisher;
}

/** jobId = attemptId makes a duplicate enqueue a no-op. The labels are the attempt's (Attempt.workerLabels). */
export async function enqueueAttempt(attemptId: string, workerLabels: readonly string[]): Promise<void> {
  const data = attemptJobSchema.parse({ attemptId });
  await attemptsQueue(workerLabels).add("run-attempt", data, { jobId: attemptId });
}

export async function removeQueuedAttempt(attemptId: string, workerLabels: readonly string[]): Promise<boolean> {
  const job = await attemptsQueue(workerLabels).getJob(attemptId);
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
  for (const queue of attemptQueues.values()) await queue.close();
  attemptQueues.clear();
  await catalogQueue?.close();
  catalogQueue = undefined;
  await pullRequestQueue?.close();
  pullRequestQueue = undefined;
  await triggerQueue?.close();
  triggerQueue = undefined;
  for (const connection of queueConnections.splice(0)) connection.disconnect();
  publisher?.disconnect();
  publisher = undefined;
}
