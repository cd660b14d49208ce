// Shared by the benchmark scripts that run Patchbay's own code against Postgres, Redis and Docker: pointing
// it at the bench's services, the bench's own sandboxes, and cleanup that records what it could not remove
// instead of throwing.
import { randomBytes } from "node:crypto";
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
