// Worker labels against the real queue, database and Docker: an environment that requires a label runs
// only on a worker that carries it, a task no running worker can take says what it waits for, and a
// labelled worker serving several queues never runs more attempts at once than it has slots.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { createEnvironment } from "@/lib/environments/create-environment";
import { db } from "@/lib/db";
import { closeProducer } from "@/lib/queue/producer";
import { createRedis } from "@/lib/queue/connection";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import { reportWorker, type WorkerReport } from "@/lib/workers/worker-status";
import { startModelServer, type ModelServer } from "@/scripts/model-server/server";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { testId } from "@/test/support/sandbox";
import { createUser, startTestWorker, type TestWorker, waitForFinishedAttempt } from "@/test/support/test-worker";

let model: ModelServer;
let redis: Redis;
const workers: TestWorker[] = [];
const reported: string[] = [];

/** What a worker's heartbeat says of it (worker/index.ts); test workers do not report on their own. */
async function report(workerId: string, labels: string[]): Promise<void> {
  const fields: Omit<WorkerReport, "reportedAt"> = {
    workerId,
    hostName: "labels-test",
    dockerVersion: null,
    image: "patchbay-sandbox:latest",
    imageId: null,
    slots: 1,
    labels,
    attemptIds: [],
    warmReady: 0,
    startedAt: new Date().toISOString(),
  };
  await reportWorker(redis, fields, 300);
  reported.push(workerId);
}

async function forget(workerId: string): Promise<void> {
  await redis.del(`patchbay:worker-report:${workerId}`);
  await redis.hdel("patchbay:workers-seen", workerId);
}

beforeAll(async () => {
  model = await startModelServer({ port: 0 });
  // Long enough that two attempts taken together would overlap.
  model.registerScript("labels-task", {
    description: "worker labels: one short command",
    steps: [{ calls: [{ name: "shell", arguments: { command: "sleep 1; echo ran" } }] }, { say: "done" }],
  });
  redis = createRedis(process.env.REDIS_URL ?? "", "client");
});

afterAll(async () => {
  for (const worker of workers) await worker.close();
  for (const workerId of reported) await forget(workerId);
  redis?.disconnect();
  await model?.close();
  await closeProducer();
});

describe("worker labels", () => {
  it("runs a labelled environment's tasks only on a worker with its labels, says what they wait for, and shares the slots", async () => {
    const user = await createUser();
    const repo = createFixtureRepo();
    const plainEnvironment = await createEnvironment(user.id, { name: "plain", repoUrl: repo.url });
    const gpuEnvironment = await createEnvironment(user.id, { name: "gpu", repoUrl: repo.url, workerLabels: "GPU, gpu" });
    expect(gpuEnvironment.workerLabels).toEqual(["gpu"]);
    const submit = (environmentId: string) => createTask(user.id, { environmentId, prompt: "[[script:labels-task]] go" });

    // A worker without labels: it takes the plain task queued after the gpu one, and leaves the gpu one.
    const plainId = testId("plain-worker-");
    workers.push(startTestWorker(model.url, { workerId: plainId }, {}, { labels: [] }));
    await report(plainId, []);
    const gpuTask = await submit(gpuEnvironment.id);
    const firstPlain = await submit(plainEnvironment.id);
    expect((await waitForFinishedAttempt(firstPlain.attemptId)).workerId).toBe(plainId);
    const waiting = await getTask(user.id, gpuTask.id);
    expect(waiting.status).toBe("queued");
    expect(waiting.waitingFor).toBe("Waiting for a worker labelled gpu: no running worker has this label (PATCHBAY_WORKER_LABELS).");
    expect(waiting.attempt?.workerLabels).toEqual(["gpu"]);

    // Once a live worker carries the label (among others), the task no longer says it waits for one.
    const announced = testId("gpu-announced-");
    await report(announced, ["gpu", "large"]);
    expect((await getTask(user.id, gpuTask.id)).waitingFor).toBeUndefined();
    await forget(announced);

    // The plain worker goes; a gpu worker with one slot serves both queues, one attempt at a time.
    await workers.shift()?.close();
    await forget(plainId);
    const gpuId = testId("gpu-worker-");
    const active = new Map<string, AbortController>();
    let mostAtOnce = 0;
    const gpuWorker = startTestWorker(
      model.url,
      {
        workerId: gpuId,
        active,
        onActiveChange: () => {
          mostAtOnce = Math.max(mostAtOnce, active.size);
        },
      },
      {},
      { labels: ["gpu"], slots: 1 },
    );
    workers.push(gpuWorker);
    const secondPlain = await submit(plainEnvironment.id);
    for (const attemptId of [gpuTask.attemptId, secondPlain.attemptId]) {
      const attempt = await waitForFinishedAttempt(attemptId);
      expect(attempt.status).toBe("completed");
      expect(attempt.workerId).toBe(gpuId);
    }
    expect(mostAtOnce).toBe(1);
    expect(await db().attempt.count({ where: { id: { in: [gpuTask.attemptId, secondPlain.attemptId] }, status: "completed" } })).toBe(2);
  });

  it("refuses labels that are not labels, with the reason", async () => {
    const user = await createUser();
    const repo = createFixtureRepo();
    await expect(createEnvironment(user.id, { name: "bad", repoUrl: repo.url, workerLabels: ["gpu!"] })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["workerLabels"], message: expect.stringContaining('"gpu!" is not a worker label') })],
    });
  });
});
