// Worker boot: env → Docker check → reaper → BullMQ worker. On SIGINT/SIGTERM: stop taking jobs, let
// running attempts be cancelled cleanly, then close Redis and Prisma.
import { SHELL_LAUNCHER } from "@/worker/agent/tools/shell-session";
import { hostname } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Worker } from "bullmq";
import { closeSharedConnections } from "@/lib/close-connections";
import { demoReposRoot } from "@/lib/demo/demo-environment";
import { workerEnv } from "@/lib/env";
import { createLogger } from "@/lib/logger";
import { createRedis } from "@/lib/queue/connection";
import { COPY_CATALOG_QUEUE, PULL_REQUESTS_QUEUE, TRIGGERS_QUEUE, workerHeartbeatKey } from "@/lib/queue/contracts";
import { attemptsQueue } from "@/lib/queue/producer";
import { listenForControl } from "@/worker/control-listener";
import { createCatalogProcessor } from "@/worker/copy/catalog-processor";
import type { AttemptProcessorDeps } from "@/worker/processors/attempt-context";
import { createAttemptProcessor } from "@/worker/processors/process-attempt";
import { createMirrorCache } from "@/worker/repos/mirror-cache";
import { clampLimits } from "@/worker/sandbox/container-template";
import { createDocker, createDockerDriver, pingDocker } from "@/worker/sandbox/docker-driver";
import { instanceIdFor } from "@/worker/sandbox/labels";
import { engineHardeningGaps, readEngineFacts } from "@/worker/sandbox/engine-hardening";
import { assertSandboxesCannotReachHost } from "@/worker/sandbox/host-isolation";
import { reapOrphans } from "@/worker/sandbox/reaper";
import { createWarmPreviews } from "@/worker/verify/warm-previews";
import { reportWorker, reportWorkerStopped } from "@/lib/workers/worker-status";
import { createWorkspaceDisk, parseSize } from "@/worker/sandbox/workspace-disk";
import { sandboxUserOnHost } from "@/worker/sandbox/sandbox-user";
import { createLayeredVolumes } from "@/worker/sandbox/layered-volumes";
import { startAttemptWorkers } from "@/worker/attempt-workers";
import { reconcileAttempts } from "@/worker/reconcile-attempts";
import { evictSetupCaches } from "@/worker/setup/evict-setup-caches";
import { publishSandboxTools } from "@/lib/workers/sandbox-tools";
import { pruneArtifacts } from "@/lib/artifacts/prune-artifacts";
import { createBrowserPool } from "@/worker/verify/browser-pool";
import { createPullRequestProcessor, refreshOpenPullRequests } from "@/worker/pull-requests/publish-pull-request";
import { createTriggerProcessor } from "@/worker/triggers/process-trigger";

const env = workerEnv();
const workerId = env.PATCHBAY_WORKER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
const instanceId = env.PATCHBAY_INSTANCE_ID ?? instanceIdFor(env.DATABASE_URL);
const logger = createLogger(env.LOG_LEVEL, { service: "worker", workerId });
const HEARTBEAT_TTL_SEC = 30;
const DAY_MS = 24 * 3600_000;
// A job whose worker dies is picked up again after lockDuration (+ up to stalledInterval).
const LOCK_DURATION_MS = 30_000;

const docker = createDocker(env.PATCHBAY_DOCKER_SOCKET);
const allowedImages = env.PATCHBAY_SANDBOX_IMAGES.split(",")
  .map((image) => image.trim())
  .filter(Boolean);
const redis = createRedis(env.REDIS_URL, "worker");
const subscriber = createRedis(env.REDIS_URL, "worker");
const active = new Map<string, AbortController>();
// Top-level await: the driver needs to know whether workspaces can be size-capped on this host.
// Capped file systems belong to the sandbox user as this engine maps it (userns-remap shifts it).
const engineInfo = (await docker.info().catch(() => null)) as { SecurityOptions?: string[]; DockerRootDir?: string } | null;
const sandboxUser = sandboxUserOnHost(engineInfo ?? {});
const disk = await createWorkspaceDisk({
  dir: path.resolve(env.PATCHBAY_DATA_DIR, "workspaces"),
  sizeBytes: parseSize(env.PATCHBAY_WORKSPACE_SIZE),
  ...("unknown" in sandboxUser ? {} : { owner: sandboxUser }),
});
const workspaceDisk = "unavailable" in disk ? undefined : disk;
// A worker in a container sees its own file system, not the engine's: restores copy there.
const layered = env.PATCHBAY_WORKER_CONTAINER
  ? { unavailable: "the worker runs in a container" }
  : await createLayeredVolumes({ docker, dir: path.resolve(env.PATCHBAY_DATA_DIR, "layers"), workspaceDisk }).catch((error: Error) => ({
      unavailable: error.message,
    }));
const layers = "unavailable" in layered ? undefined : layered;
const sandboxImage = allowedImages[0] ?? "patchbay-sandbox:latest";
const sandboxLimits = clampLimits(env.PATCHBAY_SANDBOX_MEMORY_MB, env.PATCHBAY_SANDBOX_CPUS);
const driver = createDockerDriver(docker, {
  allowedImages,
  warmPool: {
    size: env.PATCHBAY_WARM_POOL_SIZE ?? env.PATCHBAY_WORKER_CONCURRENCY,
    identity: { instanceId, workerId, image: sandboxImage, limits: sandboxLimits },
    startedProcess: SHELL_LAUNCHER,
    onError: (error: unknown) => logger.warn({ err: error }, "could not make a warm sandbox; tasks create their own until the next try"),
  },
  ...(env.PATCHBAY_WORKER_CONTAINER ? { workerContainer: env.PATCHBAY_WORKER_CONTAINER } : {}),
  ...(workspaceDisk ? { workspaceDisk } : {}),
  ...(layers ? { layers } : {}),
});
// One warm Chromium per worker for screenshots, launched on first use.
const browsers = createBrowserPool({ browserUid: env.PATCHBAY_BROWSER_UID });
const warmPreviews = createWarmPreviews({
  size: env.PATCHBAY_WARM_PREVIEWS,
  idleMs: env.PATCHBAY_WARM_PREVIEW_IDLE_MIN * 60_000,
  remove: (poolId) => driver.destroy(poolId),
  onError: (error: unknown) => logger.warn({ err: error }, "could not keep an app running for the next copy change; it starts its own"),
});

const missingModel = [!env.OPENAI_API_KEY && "OPENAI_API_KEY", !env.PATCHBAY_MODEL && "PATCHBAY_MODEL"].filter((name): name is string => Boolean(name));
const secrets = env.OPENAI_API_KEY ? [{ name: "OPENAI_API_KEY", value: env.OPENAI_API_KEY }] : [];

// What the Workers page shows of this worker; the Docker facts are read once Docker answers.
const startedAt = new Date().toISOString();
const facts = { dockerVersion: null as string | null, imageId: null as string | null };

function workerReport() {
  return {
    workerId,
    hostName: hostname(),
    dockerVersion: facts.dockerVersion,
    image: sandboxImage,
    imageId: facts.imageId,
    slots: env.PATCHBAY_WORKER_CONCURRENCY,
    labels: env.PATCHBAY_WORKER_LABELS,
    attemptIds: [...active.keys()],
    warmReady: driver.warm?.readyCount() ?? 0,
    startedAt,
  };
}

async function heartbeat(): Promise<void> {
  await redis.set(workerHeartbeatKey(workerId), String(Date.now()), "EX", HEARTBEAT_TTL_SEC);
  await reportWorker(redis, workerReport(), HEARTBEAT_TTL_SEC);
}

async function main(): Promise<void> {
  const dockerUp = await pingDocker(docker).then(
    () => true,
    (error: Error) => {
      logger.warn(error.message);
      return false;
    },
  );
  // When the worker itself runs in a container, the host's firewall is the operator's (see README).
  if (dockerUp && !env.PATCHBAY_WORKER_CONTAINER) {
    await assertSandboxesCannotReachHost(driver, {
      instanceId,
      attemptId: `host-check-${workerId}`.replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 60),
      taskId: "host-check",
      workerId,
      image: sandboxImage,
      limits: clampLimits(256, 0.5),
      expiresAt: new Date(Date.now() + 5 * 60 * 1000),
    });
  }
  if (dockerUp) {
    const gaps = await readEngineFacts(docker, engineInfo ?? undefined)
      .then(engineHardeningGaps)
      .catch((error: Error) => [`its settings could not be read (${error.message})`]);
    if (gaps.length) {
      logger.warn({ gaps }, "docker engine hardening gaps");
      console.warn(`patchbay worker: Docker engine: ${gaps.join("; ")}. See scripts/setup/docker-daemon.json and docs/security.md §13.`);
    }
  }
  await heartbeat();
  const reaperDeps = {
    docker,
    redis,
    instanceId,
    workerId,
    active,
    // Warm sandboxes and kept apps are this worker's while it lives.
    warm: { holds: (attemptId: string) => Boolean(driver.warm?.holds(attemptId)) || warmPreviews.holds(attemptId) },
    ...(workspaceDisk ? { workspaceDisk } : {}),
    ...(layers ? { layers } : {}),
  };
  const reaped = await reapOrphans(reaperDeps).catch((error: unknown) => {
    logger.warn({ err: error }, "reaper failed at startup");
    return null;
  });
  if (reaped && (reaped.containers.length || reaped.volumes.length || reaped.networks.length)) logger.info(reaped, "reaped orphaned sandboxes");

  // After the reaper (which removes a previous run's warm sandboxes), off the start-up path.
  if (dockerUp) void driver.warm?.fill();
  await listenForControl(subscriber, active);
  facts.dockerVersion = dockerUp
    ? await docker.version().then(
        (version) => version.Version,
        () => null,
      )
    : null;
  await driver
    .imageInfo(sandboxImage)
    .then((info) => {
      facts.imageId = info.id;
      return publishSandboxTools(redis, { image: sandboxImage, imageId: info.id, tools: info.tools });
    })
    .catch((error: unknown) => logger.warn({ err: error }, "could not read the sandbox image's tool versions"));

  const mirrors = createMirrorCache({
    root: path.resolve(env.PATCHBAY_DATA_DIR, "mirrors"),
    timeoutMs: env.PATCHBAY_GIT_TIMEOUT_SEC * 1000,
    allowLocal: env.PATCHBAY_ALLOW_LOCAL_REPOS,
    localRoots: [demoReposRoot()],
  });
  const processorDeps = {
    instanceId,
    workerId,
    driver,
    mirrors,
    logger,
    model: missingModel.length
      ? { missing: missingModel }
      : {
          apiKey: env.OPENAI_API_KEY ?? "",
          model: env.PATCHBAY_MODEL ?? "",
          timeoutMs: env.PATCHBAY_MODEL_TIMEOUT_SEC * 1000,
          ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
        },
    sandboxImage,
    browsers,
    warmPreviews,
    limits: sandboxLimits,
    commandTimeoutSec: env.PATCHBAY_COMMAND_TIMEOUT_SEC,
    attemptTimeoutSec: env.PATCHBAY_ATTEMPT_TIMEOUT_SEC,
    gitTimeoutSec: env.PATCHBAY_GIT_TIMEOUT_SEC,
    maxSteps: env.PATCHBAY_MAX_STEPS,
    maxTokens: env.PATCHBAY_MAX_TOKENS,
    contextWindowTokens: env.PATCHBAY_CONTEXT_WINDOW,
    prices:
      env.PATCHBAY_PRICE_INPUT_PER_MTOK !== undefined && env.PATCHBAY_PRICE_OUTPUT_PER_MTOK !== undefined
        ? { inputPerMTok: env.PATCHBAY_PRICE_INPUT_PER_MTOK, outputPerMTok: env.PATCHBAY_PRICE_OUTPUT_PER_MTOK }
        : null,
    maxCostUsd: env.PATCHBAY_MAX_COST_USD,
    secrets,
    hostName: hostname(),
    setupTimeoutSec: env.PATCHBAY_SETUP_TIMEOUT_SEC,
    setupCacheTtlMs: env.PATCHBAY_SETUP_CACHE_TTL_DAYS * 24 * 3600 * 1000,
    setupCacheBudgetBytes: env.PATCHBAY_SETUP_CACHE_BUDGET_GB * 1024 ** 3,
    secretsKey: env.PATCHBAY_SECRETS_KEY,
    active,
    onActiveChange: () => void heartbeat().catch((error: unknown) => logger.warn({ err: error }, "heartbeat failed")),
  } satisfies AttemptProcessorDeps;
  const processor = createAttemptProcessor(processorDeps);

  // One queue per subset of this worker's labels (worker/attempt-workers.ts), sharing its slots.
  const attemptWorkers = startAttemptWorkers({
    labels: env.PATCHBAY_WORKER_LABELS,
    slots: env.PATCHBAY_WORKER_CONCURRENCY,
    process: processor,
    options: { connection: redis, lockDuration: LOCK_DURATION_MS, stalledInterval: 15_000, maxStalledCount: 1 },
  });
  for (const worker of attemptWorkers.workers) {
    worker.on("error", (error) => logger.error({ err: error }, "worker error"));
    worker.on("failed", (job, error) => logger.info({ jobId: job?.id, reason: error.message }, "attempt failed"));
  }
  // Copy catalogs are quick reads of the mirror; one at a time keeps them from competing with sandboxes.
  const catalogWorker = new Worker(COPY_CATALOG_QUEUE, createCatalogProcessor({ mirrors, logger, secretsKey: env.PATCHBAY_SECRETS_KEY }), {
    connection: redis,
    concurrency: 1,
  });
  catalogWorker.on("error", (error) => logger.error({ err: error }, "catalog worker error"));
  // Pull requests: a commit, a push and a few API calls each, on the host; one at a time per worker.
  const pullRequestDeps = {
    mirrors,
    logger,
    secretsKey: env.PATCHBAY_SECRETS_KEY,
    timeoutMs: env.PATCHBAY_GIT_TIMEOUT_SEC * 1000,
    allowLocal: env.PATCHBAY_ALLOW_LOCAL_REPOS,
    ...(env.PATCHBAY_PUBLIC_URL ? { publicUrl: env.PATCHBAY_PUBLIC_URL } : {}),
  };
  const pullRequestWorker = new Worker(PULL_REQUESTS_QUEUE, createPullRequestProcessor(pullRequestDeps), { connection: redis, concurrency: 1 });
  pullRequestWorker.on("error", (error) => logger.error({ err: error }, "pull request worker error"));
  // Webhook triggers and their replies: a database write or one forge API call each.
  const triggerDeps = {
    ...pullRequestDeps,
    ...(env.PATCHBAY_SLACK_BOT_TOKEN
      ? { slack: { botToken: env.PATCHBAY_SLACK_BOT_TOKEN, apiUrl: env.PATCHBAY_SLACK_API_URL, timeoutMs: pullRequestDeps.timeoutMs } }
      : {}),
    linearApiUrl: env.PATCHBAY_LINEAR_API_URL,
  };
  const triggerWorker = new Worker(TRIGGERS_QUEUE, createTriggerProcessor(triggerDeps), { connection: redis, concurrency: 2 });
  triggerWorker.on("error", (error) => logger.error({ err: error }, "trigger worker error"));

  // Mirrors and artifacts within their budgets. A mirror an attempt may still read is kept (prune-mirrors.ts).
  const pruneStorage = async () => {
    const pruned = await mirrors.prune({
      ttlMs: env.PATCHBAY_MIRROR_TTL_DAYS * DAY_MS,
      budgetBytes: env.PATCHBAY_MIRROR_BUDGET_GB * 1024 ** 3,
      minIdleMs: (env.PATCHBAY_ATTEMPT_TIMEOUT_SEC + env.PATCHBAY_SETUP_TIMEOUT_SEC) * 1000 + 10 * 60_000,
    });
    if (pruned.removed.length) logger.info({ removed: pruned.removed }, "pruned repository mirrors");
    const budgetBytes = env.PATCHBAY_ARTIFACT_BUDGET_GB * 1024 ** 3;
    const artifacts = await pruneArtifacts({ budgetBytes, minAgeMs: DAY_MS, orphanAgeMs: DAY_MS });
    if (artifacts.pruned || artifacts.orphans) logger.info(artifacts, "pruned artifacts");
    if (artifacts.storedBytes > budgetBytes) logger.warn(artifacts, "artifacts exceed PATCHBAY_ARTIFACT_BUDGET_GB; those younger than a day are kept");
  };
  void pruneStorage().catch((error: unknown) => logger.warn({ err: error }, "pruning mirrors and artifacts failed"));

  const timers = [
    setInterval(() => void pruneStorage().catch((error: unknown) => logger.warn({ err: error }, "pruning mirrors and artifacts failed")), 15 * 60_000),
    setInterval(() => void heartbeat().catch((error: unknown) => logger.warn({ err: error }, "heartbeat failed")), 10_000),
    // Open pull requests' state (merged, closed, conflicts) from their forges: each read at most every 5 minutes.
    setInterval(
      () =>
        void refreshOpenPullRequests(pullRequestDeps, { staleMs: 5 * 60_000, limit: 20 }).catch((error: unknown) =>
          logger.warn({ err: error }, "refreshing pull requests failed"),
        ),
      60_000,
    ),
    setInterval(() => {
      reapOrphans(reaperDeps)
        .then(async () => {
          // A pool that could not fill (Docker was down, the image missing) tries again.
          void driver.warm?.fill();
          // Layers and images of volumes that are gone (a crash between removing the volume and them).
          if (active.size > 0) return;
          const volumes = new Set(((await docker.listVolumes()).Volumes ?? []).map((volume) => volume.Name));
          await layers?.sweep(volumes);
          await workspaceDisk?.sweep(volumes);
        })
        .catch((error: unknown) => logger.warn({ err: error }, "reaper failed"));
      reconcileAttempts(attemptsQueue, redis).catch((error: unknown) => logger.warn({ err: error }, "reconcile failed"));
      evictSetupCaches({
        driver,
        hostName: hostname(),
        instanceId,
        setupCacheTtlMs: processorDeps.setupCacheTtlMs,
        setupCacheBudgetBytes: processorDeps.setupCacheBudgetBytes,
        active,
      }).catch((error: unknown) => logger.warn({ err: error }, "setup cache eviction failed"));
    }, 60_000),
  ];
  if ("unavailable" in layered) logger.info({ reason: layered.unavailable }, "setup caches are restored by copying");
  if ("unavailable" in disk) {
    logger.warn({ reason: disk.unavailable }, "workspaces are not size-capped");
    console.warn(`patchbay worker: sandbox workspaces have no size cap: ${disk.unavailable}. A task could fill this host's disk.`);
  }
  logger.info(
    { concurrency: env.PATCHBAY_WORKER_CONCURRENCY, labels: env.PATCHBAY_WORKER_LABELS, model: missingModel.length ? null : env.PATCHBAY_MODEL },
    "worker ready",
  );
  console.log(`patchbay worker ${workerId} ready`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    for (const timer of timers) clearInterval(timer);
    for (const controller of active.values()) controller.abort();
    await Promise.all([attemptWorkers.close(), catalogWorker.close(), pullRequestWorker.close(), triggerWorker.close()]);
    await driver.warm?.drain().catch(() => undefined);
    await warmPreviews.drain().catch(() => undefined);
    await browsers.close().catch(() => undefined);
    await redis.del(workerHeartbeatKey(workerId)).catch(() => undefined);
    await reportWorkerStopped(redis, workerReport()).catch(() => undefined);
    subscriber.disconnect();
    redis.disconnect();
    await closeSharedConnections();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, "worker failed to start");
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
