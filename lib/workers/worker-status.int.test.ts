// The Workers page's data against real Redis and Postgres: what each worker reports with its heartbeat,
// a worker whose report expired without a goodbye shown as lost, one that stopped cleanly as stopped, and
// the attempts a live one runs linked to their tasks. worker/worker-crash.int.test.ts covers a real worker
// process killed with SIGKILL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { createRedis } from "@/lib/queue/connection";
import { createUser } from "@/test/support/test-worker";
import { testId } from "@/test/support/sandbox";
import { listWorkers, reportWorker, reportWorkerStopped } from "./worker-status";

let redis: Redis;
let adminId: string;
let engineerId: string;

function report(workerId: string, hostName: string, attemptIds: string[] = [], labels: string[] = []) {
  return {
    workerId,
    hostName,
    dockerVersion: "28.2.2",
    image: "patchbay-sandbox:latest",
    imageId: "sha256:0123456789abcdef",
    slots: 2,
    labels,
    attemptIds,
    warmReady: 1,
    startedAt: new Date().toISOString(),
  };
}

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL ?? "", "client");
  adminId = (await createUser()).id;
  await db().user.update({ where: { id: adminId }, data: { role: "admin" } });
  engineerId = (await createUser()).id;
});

afterAll(() => redis?.disconnect());

describe("workers", () => {
  it("lists live, lost and stopped workers with what they run and the setup caches of their host", async () => {
    const host = testId("host-");
    const environment = await db().environment.create({
      data: { ownerId: adminId, name: "workers", repoUrl: "file:///nonexistent/workers.git", defaultBranch: "main" },
      select: { id: true },
    });
    await db().setupCache.create({ data: { environmentId: environment.id, key: "k", host, parts: {}, volumes: {}, sizeBytes: 5_000_000n } });
    const task = await db().task.create({
      data: {
        ownerId: adminId,
        environmentId: environment.id,
        prompt: "busy",
        branch: "main",
        title: "Keep a worker busy",
        turns: { create: { index: 0, prompt: "busy", attempts: { create: { index: 0, status: "running" } } } },
      },
      select: { id: true, turns: { select: { attempts: { select: { id: true } } } } },
    });
    const attemptId = task.turns[0]?.attempts[0]?.id ?? "";
    const live = testId("w-live-");
    const lost = testId("w-lost-");
    const stopped = testId("w-stopped-");
    await reportWorker(redis, report(live, host, [attemptId]), 60);
    await reportWorker(redis, report(lost, host, [attemptId]), 60);
    // Its report expires with its heartbeat; what was last seen stays.
    await redis.del(`patchbay:worker-report:${lost}`);
    await reportWorker(redis, report(stopped, host), 60);
    await reportWorkerStopped(redis, report(stopped, host));

    const mine = (await listWorkers(adminId)).filter((worker) => [live, lost, stopped].includes(worker.workerId));
    expect(mine.map((worker) => [worker.workerId, worker.state])).toEqual([
      [live, "live"],
      [lost, "lost"],
      [stopped, "stopped"],
    ]);
    const [first, second, third] = mine;
    expect(first).toMatchObject({ hostName: host, busy: 1, slots: 2, warmReady: 1, dockerVersion: "28.2.2", setupCacheBytes: 5_000_000 });
    expect(first?.attempts).toEqual([{ attemptId, taskId: task.id, title: "Keep a worker busy" }]);
    // A lost worker runs nothing any more: its attempts are retried elsewhere or failed with a reason.
    expect(second).toMatchObject({ busy: 0, attempts: [], stoppedAt: null });
    expect(third?.stoppedAt).toMatch(/^\d{4}-/);
  });

  it("is for admins only", async () => {
    const refused = await listWorkers(engineerId).catch((error: unknown) => error);
    expect(isAppError(refused) && refused.code).toBe("forbidden");
  });
});
