// Runs the real attempt processor on a real BullMQ worker, in the test process, against real Docker,
// Postgres, Redis and the scripted model server. Options override the production defaults.
import { mkdtempSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "bullmq";
import { db } from "@/lib/db";
import { createLogger } from "@/lib/logger";
import { createRedis } from "@/lib/queue/connection";
import { COPY_CATALOG_QUEUE, PULL_REQUESTS_QUEUE, TRIGGERS_QUEUE } from "@/lib/queue/contracts";
import { isFinished, type AttemptStatusValue } from "@/lib/tasks/task-status";
import { createCatalogProcessor } from "@/worker/copy/catalog-processor";
import type { AttemptProcessorDeps } from "@/worker/processors/attempt-context";
import { startAttemptWorkers } from "@/worker/attempt-workers";
import { createAttemptProcessor } from "@/worker/processors/process-attempt";
import { createPullRequestProcessor } from "@/worker/pull-requests/publish-pull-request";
import { createTriggerProcessor } from "@/worker/triggers/process-trigger";
import type { TriggerDeps } from "@/worker/triggers/requested-task";
import { createMirrorCache } from "@/worker/repos/mirror-cache";
import { clampLimits } from "@/worker/sandbox/container-template";
import { createDocker, createDockerDriver } from "@/worker/sandbox/docker-driver";
import { createBrowserPool } from "@/worker/verify/browser-pool";
import { instanceIdFor } from "@/worker/sandbox/labels";
import { waitFor } from "./wait-for";

export const TEST_SANDBOX_IMAGE = "patchbay-sandbox:latest";
// The same derivation as the worker's, so a test worker and a worker process started by a test agree.
export const TEST_INSTANCE_ID = instanceIdFor(process.env.DATABASE_URL ?? "postgresql://localhost/unset");
export const docker = createDocker("/var/run/docker.sock");
/** What test workers link pull requests back to (PATCHBAY_PUBLIC_URL). */
export const TEST_PUBLIC_URL = "https://patchbay.test";

export type TestWorker = { deps: AttemptProcessorDeps; close(): Promise<void> };

/** How the test worker takes attempts: its labels (PATCHBAY_WORKER_LABELS) and slots. */
export type TestWorkerQueues = { labels?: string[]; slots?: number };

export function startTestWorker(
  modelBaseUrl: string | null,
  overrides: Partial<AttemptProcessorDeps> = {},
  /** The triggers' Slack app and Linear address (read when a job runs, so a test may fill them in later). */
  triggers: Pick<TriggerDeps, "slack" | "linearApiUrl"> = {},
  queues: TestWorkerQueues = {},
): TestWorker {
  const redis = createRedis(process.env.REDIS_URL ?? "", "worker");
  const deps: AttemptProcessorDeps = {
    instanceId: TEST_INSTANCE_ID,
    workerId: `test-${process.pid}`,
    driver: createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] }),
    mirrors: createMirrorCache({ root: path.join(mkdtempSync(path.join(tmpdir(), "patchbay-mirrors-")), "m"), timeoutMs: 30_000, allowLocal: true }),
    logger: createLogger("silent"),
    model: modelBaseUrl
      ? { apiKey: "sk-test-key-do-not-leak", baseURL: modelBaseUrl, model: "scripted", timeoutMs: 20_000 }
      : { missing: ["OPENAI_API_KEY", "PATCHBAY_MODEL"] },
    sandboxImage: TEST_SANDBOX_IMAGE,
    // Chromium starts only when a test actually takes screenshots.
    browsers: createBrowserPool(),
    limits: clampLimits(1024, 1),
    commandTimeoutSec: 20,
    attemptTimeoutSec: 300,
    gitTimeoutSec: 30,
    maxSteps: 20,
    maxTokens: 1_000_000,
    contextWindowTokens: 1_000_000,
    prices: null,
    maxCostUsd: 0,
    secrets: [{ name: "OPENAI_API_KEY", value: "sk-test-key-do-not-leak" }],
    hostName: hostname(),
    setupTimeoutSec: 300,
    setupCacheTtlMs: 7 * 24 * 3600 * 1000,
    setupCacheBudgetBytes: 20 * 1024 ** 3,
    secretsKey: process.env.PATCHBAY_SECRETS_KEY,
    active: new Map(),
    ...overrides,
  };
  const attemptWorkers = startAttemptWorkers({
    labels: queues.labels ?? [],
    slots: queues.slots ?? 2,
    process: createAttemptProcessor(deps),
    options: { connection: redis },
  });
  for (const worker of attemptWorkers.workers) worker.on("error", () => undefined);
  const catalogWorker = new Worker(
    COPY_CATALOG_QUEUE,
    createCatalogProcessor({ mirrors: deps.mirrors, logger: deps.logger, ...(deps.secretsKey ? { secretsKey: deps.secretsKey } : {}) }),
    {
      connection: redis,
      concurrency: 1,
    },
  );
  catalogWorker.on("error", () => undefined);
  const pullRequestDeps = {
    mirrors: deps.mirrors,
    logger: deps.logger,
    timeoutMs: 30_000,
    allowLocal: true,
    publicUrl: TEST_PUBLIC_URL,
    ...(deps.secretsKey ? { secretsKey: deps.secretsKey } : {}),
  };
  const pullRequestWorker = new Worker(PULL_REQUESTS_QUEUE, createPullRequestProcessor(pullRequestDeps), { connection: redis, concurrency: 1 });
  pullRequestWorker.on("error", () => undefined);
  const triggerWorker = new Worker(TRIGGERS_QUEUE, createTriggerProcessor(Object.assign(triggers, pullRequestDeps)), { connection: redis, concurrency: 2 });
  triggerWorker.on("error", () => undefined);
  return {
    deps,
    async close() {
      await Promise.all([attemptWorkers.close(), catalogWorker.close(), pullRequestWorker.close(), triggerWorker.close()]);
      await deps.warmPreviews?.drain();
      await deps.browsers.close();
      redis.disconnect();
    },
  };
}

export async function waitForFinishedAttempt(attemptId: string, timeoutMs = 90_000) {
  return waitFor(
    `attempt ${attemptId} to finish`,
    async () => {
      const row = await db().attempt.findUnique({ where: { id: attemptId } });
      return row && isFinished(row.status as AttemptStatusValue) ? row : null;
    },
    timeoutMs,
    200,
  );
}

/** By name (patchbay-<attempt id>…): a warm sandbox an attempt took keeps the pool's labels. */
export async function containersOf(attemptId: string) {
  return docker.listContainers({ all: true, filters: { name: [attemptId] } });
}

export async function createUser(email = `user-${Math.random().toString(36).slice(2)}@example.com`) {
  return db().user.create({ data: { email, role: "engineer" }, select: { id: true, email: true } });
}
