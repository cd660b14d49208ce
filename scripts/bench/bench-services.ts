// Shared by the benchmark scripts that run Patchbay's own code against Postgres, Redis and Docker: pointing
// it at the bench's services, the bench's own sandboxes, and cleanup that records what it could not remove
// instead of throwing.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { attemptsQueue } from "@/lib/queue/producer";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { pingDocker } from "@/worker/sandbox/docker-driver";
import { gitDirty, gitSha, hostEnv, round2, writeBenchReport } from "./bench-stats";
import type { SandboxLimits, SandboxSpec } from "@/worker/sandbox/driver";

/**
 * Points the lib/ functions (which read lib/env.ts) at the bench's database and Redis db; call it before the
 * first of them runs. Refuses any database whose name does not end in _test.
 */
export function pointAtBenchServices(services: { databaseUrl: string; redisUrl: string; secretsKey: string }): void {
  const url = new URL(services.databaseUrl);
  if (!url.pathname.endsWith("_test")) throw new Error(`Refusing to run against ${url.host}${url.pathname}: not a *_test database.`);
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;
  process.env.PATCHBAY_ALLOW_LOCAL_REPOS = "1";
  process.env.PATCHBAY_SECRETS_KEY = services.secretsKey;
  process.env.LOG_LEVEL = "silent";
}

/** A cleanup step that cannot stop the others: its failure lands in `errors` (the report's run.cleanupErrors). */
export function cleanupInto(errors: string[]) {
  return async (label: string, fn: () => Promise<unknown> | unknown): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      errors.push(`${label}: ${(error as Error).message.split("\n")[0]}`);
    }
  };
}

/** An agent sandbox of the bench's own (its installation and worker ids), with no network, for an hour. */
export function benchSandboxSpec(run: { instanceId: string; workerId: string; image: string; limits: SandboxLimits }): SandboxSpec {
  const hex = randomBytes(8).toString("hex");
  return {
    role: "agent",
    network: null,
    instanceId: run.instanceId,
    attemptId: `bench${hex}`,
    taskId: `bench${hex}`,
    workerId: run.workerId,
    image: run.image,
    limits: run.limits,
    expiresAt: new Date(Date.now() + 60 * 60 * 1000),
  };
}

/**
 * The checks a bench that runs tasks makes before anything else (a failure ends it with exit 1): Docker
 * answers and has the image, the database is migrated, and nobody else's jobs wait in its queue. Returns
 * the engine's and the image's facts for the report.
 */
export async function checkTaskBenchServices(docker: Parameters<typeof pingDocker>[0], input: { image: string; databaseUrl: string; redisUrl: string }) {
  await pingDocker(docker);
  const [dockerVersion, dockerInfo, imageInfo] = await Promise.all([docker.version(), docker.info(), docker.getImage(input.image).inspect()]);
  await applyMigrations(input.databaseUrl);
  const counts = await attemptsQueue().getJobCounts("waiting", "active", "delayed", "prioritized");
  if (Object.values(counts).some((count) => count > 0))
    throw new Error(`The attempts queue in ${input.redisUrl} already has jobs: someone else uses this Redis db.`);
  return { dockerVersion, dockerInfo, imageInfo };
}

type BenchFacts = Awaited<ReturnType<typeof checkTaskBenchServices>>;

/**
 * Writes a task bench's report (docs/benchmarks.md §3) and says where; returns the exit code (1 when its
 * setup failed). `noisyLoad1`: the 1-minute load above which the run is marked noisy.
 */
export function finishTaskBenchReport(
  bench: string,
  input: {
    startedAt: Date;
    load1Start: number;
    noisyLoad1: number;
    facts: BenchFacts;
    image: string;
    config: Record<string, unknown>;
    runs: unknown;
    failures: string[];
    cleanupErrors: string[];
    leaked: unknown;
    setupError: string | null;
    results: Record<string, unknown>[];
  },
): number {
  const load1End = os.loadavg()[0] ?? 0;
  const { facts } = input;
  const report = {
    run: {
      bench,
      gitSha: gitSha(),
      gitDirty: gitDirty(),
      startedAt: input.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      noisy: input.load1Start > input.noisyLoad1 || load1End > input.noisyLoad1,
      env: {
        ...hostEnv(facts.dockerVersion, facts.dockerInfo),
        image: input.image,
        imageId: facts.imageInfo.Id,
        load1Start: round2(input.load1Start),
        load1End: round2(load1End),
      },
      config: input.config,
      runs: input.runs,
      failures: input.failures,
      cleanupErrors: input.cleanupErrors,
      leaked: input.leaked,
      ...(input.setupError ? { setupError: input.setupError } : {}),
    },
    results: input.results,
  };
  console.error(`wrote ${writeBenchReport(bench, input.startedAt, report)}`);
  return input.setupError ? 1 : 0;
}
