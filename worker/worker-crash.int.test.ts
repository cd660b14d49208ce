// A worker killed with SIGKILL mid-task: after a new worker starts, the attempt is retried from a clean
// sandbox and completes, and the dead worker's container does not survive. Runs the real worker process.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createTask } from "@/lib/tasks/create-task";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { startModelServer } from "@/scripts/model-server/server";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { killGroup, spawnGroup } from "@/test/support/process-group";
import { listWorkers } from "@/lib/workers/worker-status";
import { removeWarmSandboxes, testId, waitForSandboxRemoved } from "@/test/support/sandbox";
import { containersOf, createUser, waitForFinishedAttempt } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";

let model: Awaited<ReturnType<typeof startModelServer>>;
const workers: ChildProcess[] = [];
const workerIds: string[] = [];

function startWorkerProcess(workerId: string): ChildProcess {
  workerIds.push(workerId);
  const child = spawnGroup("npx", ["tsx", "worker/index.ts"], {
    ...process.env,
    PATCHBAY_WORKER_ID: workerId,
    OPENAI_API_KEY: "sk-crash-test",
    OPENAI_BASE_URL: model.url,
    PATCHBAY_MODEL: "scripted",
    PATCHBAY_WORKER_CONCURRENCY: "1",
    LOG_LEVEL: "warn",
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  model = await startModelServer({ port: 0 });
});

afterAll(async () => {
  for (const child of workers) await killGroup(child);
  await removeWarmSandboxes({ workerIds });
  await model?.close();
});

it("retries an attempt whose worker was killed and leaves no container behind", async () => {
  model.registerScript("crash", {
    steps: [{ calls: [{ name: "shell", arguments: { command: "echo started; sleep 12; echo > survived.txt" } }] }, { say: "Finished after the restart." }],
  });
  const user = await createUser();
  const repo = createFixtureRepo();
  const environment = await createEnvironment(user.id, { name: "crash", repoUrl: repo.url });
  const admin = await createUser();
  await db().user.update({ where: { id: admin.id }, data: { role: "admin" } });
  const firstId = testId("crash-first-");
  const first = startWorkerProcess(firstId);
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:crash]] survive a crash" });

  const firstContainer = await waitFor(
    "the first worker to run the command",
    async () => {
      const events = await listTaskEvents(task.id, 0n);
      const started = events.some((event) => event.type === "tool.output" && event.payload.chunk.includes("started"));
      const containers = await containersOf(task.attemptId);
      return started && containers[0] ? containers[0].Id : null;
    },
    60_000,
  );
  // The Workers page shows it running the task (it reports as soon as an attempt starts).
  const running = await waitFor(
    "the first worker to report the attempt",
    async () => (await listWorkers(admin.id)).find((worker) => worker.workerId === firstId && worker.attempts.some((run) => run.taskId === task.id)) ?? null,
    30_000,
  );
  expect(running).toMatchObject({ state: "live", busy: 1, slots: 1 });
  await killGroup(first);

  const secondId = testId("crash-second-");
  startWorkerProcess(secondId);
  const attempt = await waitForFinishedAttempt(task.attemptId, 120_000);
  expect(attempt.status).toBe("completed");
  expect(attempt.finalMessage).toBe("Finished after the restart.");
  expect(attempt.patch).toContain("survived.txt");

  const statuses = (await listTaskEvents(task.id, 0n)).flatMap((event) => (event.type === "status" ? [event.payload] : []));
  expect(statuses.some((status) => status.message?.includes("previous worker stopped"))).toBe(true);
  // The dead worker's container was replaced by the retry, and the retry's own is removed after it.
  expect((await containersOf(task.attemptId)).map((container) => container.Id)).not.toContain(firstContainer);
  await waitForSandboxRemoved(task.attemptId);
  expect(await db().attempt.count({ where: { id: task.attemptId, workerId: null } })).toBe(0);
  // The killed worker said no goodbye: once its heartbeat expires it is lost; the new one is live.
  const workers = await waitFor(
    "the killed worker to show as lost",
    async () => {
      const listed = await listWorkers(admin.id);
      return listed.find((worker) => worker.workerId === firstId)?.state === "lost" ? listed : null;
    },
    60_000,
  );
  expect(workers.find((worker) => worker.workerId === secondId)?.state).toBe("live");
}, 200_000);
