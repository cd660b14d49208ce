// The reaper against real Docker, Postgres and Redis (docs/security.md §10): it removes labelled sandboxes
// nobody owns any more, and leaves alone the ones a live worker (or this one) is still using.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/queue/connection";
import { workerHeartbeatKey } from "@/lib/queue/contracts";
import type { AttemptStatusValue } from "@/lib/tasks/task-status";
import { createDockerDriver } from "@/worker/sandbox/docker-driver";
import { containerName, homeVolumeName, workspaceVolumeName } from "@/worker/sandbox/labels";
import { reapOrphans } from "@/worker/sandbox/reaper";
import { containerExists, sandboxSpec, testId, volumeExists } from "@/test/support/sandbox";
import { createUser, docker, TEST_SANDBOX_IMAGE } from "@/test/support/test-worker";

const driver = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
const selfWorker = `test-reaper-self-${process.pid}`;
const liveWorker = testId("test-reaper-live-");
const deadWorker = testId("test-reaper-dead-");
const mine: string[] = [];
let redis: Redis;
let environmentId: string;
let userId: string;

/** A Task → Turn → Attempt in the given state, written directly: nothing is enqueued. */
async function attemptRow(status: AttemptStatusValue, workerId: string): Promise<{ attemptId: string; taskId: string; workerId: string }> {
  const task = await db().task.create({
    data: {
      ownerId: userId,
      environmentId,
      prompt: "reaper fixture",
      branch: "main",
      title: "reaper fixture",
      turns: { create: { index: 0, prompt: "reaper fixture", attempts: { create: { index: 0, status, workerId } } } },
    },
    select: { id: true, turns: { select: { attempts: { select: { id: true } } } } },
  });
  return { taskId: task.id, attemptId: task.turns[0]!.attempts[0]!.id, workerId };
}

// Its own installation id: the reaper under test judges only these sandboxes, never other test runs'.
const instanceId = `reaper-test-${process.pid}`;

/** A real sandbox labelled for the attempt and its worker, as the processor would create it. */
async function sandboxFor(ids: { attemptId: string; taskId: string; workerId: string }, expiresAt = new Date(Date.now() + 10 * 60_000)) {
  mine.push(ids.attemptId);
  return driver.ensure(sandboxSpec({ ...ids, expiresAt, instanceId }));
}

async function present(attemptId: string): Promise<{ container: boolean; volume: boolean }> {
  return { container: await containerExists(containerName(attemptId)), volume: await volumeExists(workspaceVolumeName(attemptId)) };
}

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL ?? "", "client");
  userId = (await createUser()).id;
  environmentId = (
    await db().environment.create({
      data: { ownerId: userId, name: "reaper", repoUrl: "file:///nonexistent/reaper.git", defaultBranch: "main" },
      select: { id: true },
    })
  ).id;
});

afterAll(async () => {
  for (const attemptId of mine) await driver.destroy(attemptId).catch(() => undefined);
  await redis?.del(workerHeartbeatKey(liveWorker));
  redis?.disconnect();
});

describe("reapOrphans", () => {
  it("removes finished, abandoned, expired and unknown sandboxes and keeps live ones", async () => {
    const finished = await attemptRow("completed", liveWorker);
    const cancelled = await attemptRow("cancelled", liveWorker);
    const abandoned = await attemptRow("running", deadWorker);
    const live = await attemptRow("running", liveWorker);
    const activeHere = await attemptRow("running", selfWorker);
    const staleHere = await attemptRow("provisioning", selfWorker);
    const expired = await attemptRow("running", liveWorker);
    const unknown = { attemptId: testId("att-gone-"), taskId: testId("task-gone-"), workerId: liveWorker };
    const volumeOnly = await attemptRow("failed", liveWorker);

    await redis.set(workerHeartbeatKey(liveWorker), String(Date.now()), "EX", 120);
    await redis.del(workerHeartbeatKey(deadWorker));
    for (const ids of [finished, cancelled, abandoned, live, activeHere, staleHere, unknown]) await sandboxFor(ids);
    await sandboxFor(expired, new Date(Date.now() - 1_000));
    // A workspace volume whose container is already gone (e.g. the worker died between the two removals).
    await sandboxFor(volumeOnly);
    await docker.getContainer(containerName(volumeOnly.attemptId)).remove({ force: true });

    const active = new Map<string, unknown>([[activeHere.attemptId, new AbortController()]]);

    const reaped = await reapOrphans({ docker, redis, instanceId, workerId: selfWorker, active });

    const gone = [finished, cancelled, abandoned, staleHere, expired, unknown];
    const kept = [live, activeHere];
    for (const ids of gone) expect(await present(ids.attemptId), ids.attemptId).toEqual({ container: false, volume: false });
    for (const ids of kept) expect(await present(ids.attemptId), ids.attemptId).toEqual({ container: true, volume: true });
    expect(await volumeExists(workspaceVolumeName(volumeOnly.attemptId))).toBe(false);

    expect(reaped.containers.sort()).toEqual(gone.map((ids) => `/${containerName(ids.attemptId)}`).sort());
    // Each agent sandbox has a workspace and a home volume.
    expect(reaped.volumes.sort()).toEqual([...gone, volumeOnly].flatMap((ids) => [workspaceVolumeName(ids.attemptId), homeVolumeName(ids.attemptId)]).sort());

    // The kept ones still work, and a second round changes nothing.
    const again = await reapOrphans({ docker, redis, instanceId, workerId: selfWorker, active });
    expect(again).toEqual({ containers: [], volumes: [], networks: [] });
    for (const ids of kept) expect((await docker.getContainer(containerName(ids.attemptId)).inspect()).State.Running).toBe(true);
  });

  it("reaps a live worker's sandbox once its heartbeat stops", async () => {
    const worker = testId("test-reaper-stopping-");
    const ids = await attemptRow("running", worker);
    await sandboxFor(ids);
    await redis.set(workerHeartbeatKey(worker), String(Date.now()), "EX", 120);
    const others = new Map<string, unknown>();

    await reapOrphans({ docker, redis, instanceId, workerId: selfWorker, active: others });
    expect(await present(ids.attemptId)).toEqual({ container: true, volume: true });

    await redis.del(workerHeartbeatKey(worker));
    await reapOrphans({ docker, redis, instanceId, workerId: selfWorker, active: others });
    expect(await present(ids.attemptId)).toEqual({ container: false, volume: false });
  });

  it("never touches another installation's sandboxes on the same Docker host", async () => {
    const ids = await attemptRow("completed", testId("test-reaper-other-"));
    mine.push(ids.attemptId);
    await driver.ensure(sandboxSpec({ ...ids, instanceId: `${instanceId}-other` }));
    await reapOrphans({ docker, redis, instanceId, workerId: selfWorker, active: new Map() });
    expect(await present(ids.attemptId)).toEqual({ container: true, volume: true });
    await driver.destroy(ids.attemptId);
  });
});
