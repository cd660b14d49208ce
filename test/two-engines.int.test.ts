// Two workers on two Docker engines (a second dockerd with its own socket, data root and bridge, started
// here), each with its own data directory, sharing only PostgreSQL and Redis, as on two machines: labels
// send a task to the right one, screenshots either takes are served from the database, tasks spread over
// both, and a worker killed with SIGKILL mid-task ends in a retry on the other with no container left on
// either engine. Runs the real worker processes.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readArtifact } from "@/lib/artifacts/artifact-queries";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { listWorkers } from "@/lib/workers/worker-status";
import { startModelServer } from "@/scripts/model-server/server";
import { bytesOf } from "@/test/support/artifact-bytes";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { createPreviewAppRepo, PREVIEW_APP_CONFIG } from "@/test/support/preview-app-repo";
import { killGroup, spawnGroup } from "@/test/support/process-group";
import { testId } from "@/test/support/sandbox";
import { type SecondEngine, startSecondEngine } from "@/test/support/second-docker-engine";
import { createUser, docker, TEST_SANDBOX_IMAGE, waitForFinishedAttempt } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";

let model: Awaited<ReturnType<typeof startModelServer>>;
let engine: SecondEngine;
let adminId: string;
let userId: string;
const processes: ChildProcess[] = [];
const attempts: string[] = [];
const engines = () => [docker, engine.docker];

type WorkerProcess = { id: string; child: ChildProcess };

/** A worker process as on its own machine: its own Docker engine and data directory. */
function startWorker(options: { prefix: string; socket?: string; dataDir: string; labels?: string }): WorkerProcess {
  const id = testId(options.prefix);
  const child = spawnGroup("npx", ["tsx", "worker/index.ts"], {
    ...process.env,
    PATCHBAY_WORKER_ID: id,
    PATCHBAY_DATA_DIR: options.dataDir,
    ...(options.socket ? { PATCHBAY_DOCKER_SOCKET: options.socket } : {}),
    PATCHBAY_WORKER_LABELS: options.labels ?? "",
    PATCHBAY_WORKER_CONCURRENCY: "1",
    PATCHBAY_WARM_POOL_SIZE: "0",
    OPENAI_API_KEY: "sk-two-engines-test",
    OPENAI_BASE_URL: model.url,
    PATCHBAY_MODEL: "scripted",
    LOG_LEVEL: "warn",
  });
  processes.push(child);
  return { id, child };
}

async function waitUntilLive(workerId: string, idle = false): Promise<void> {
  await waitFor(
    `worker ${workerId} to report${idle ? " with no attempt running" : ""}`,
    async () =>
      (await listWorkers(adminId)).some((worker) => worker.workerId === workerId && worker.state === "live" && (!idle || worker.busy === 0)) ? true : null,
    180_000,
  );
}

/** Every container of an attempt, on each engine. */
async function containersOnEngines(attemptId: string): Promise<[number, number]> {
  const [first, second] = await Promise.all(engines().map((each) => each.listContainers({ all: true, filters: { name: [attemptId] } })));
  return [first?.length ?? 0, second?.length ?? 0];
}

/** Lets an attempt's held command (two-engines-held) finish, once its sandbox runs on that engine. */
async function release(engineDocker: typeof docker, attemptId: string): Promise<void> {
  const container = engineDocker.getContainer(`patchbay-${attemptId}`);
  await waitFor(`attempt ${attemptId}'s sandbox to run`, async () => ((await container.inspect().catch(() => null))?.State.Running ? true : null), 180_000);
  const exec = await container.exec({ Cmd: ["touch", "/tmp/release"] });
  await exec.start({ Detach: true });
  await waitFor(
    `the release of attempt ${attemptId}`,
    async () => {
      const state = await exec.inspect();
      if (!state.Running && state.ExitCode !== 0) throw new Error(`touch /tmp/release exited with ${state.ExitCode}`);
      return state.Running ? null : true;
    },
    60_000,
  );
}

async function started(taskId: string): Promise<boolean> {
  return (await listTaskEvents(taskId, 0n)).some((event) => event.type === "tool.output" && event.payload.chunk.includes("started"));
}

let plain: WorkerProcess;
let second: WorkerProcess;
let secondDataDir: string;

beforeAll(async () => {
  engine = await startSecondEngine(TEST_SANDBOX_IMAGE);
  model = await startModelServer({ port: 0 });
  // Held until the test releases it (release below), so a task is still running whenever the test needs it to.
  model.registerScript("two-engines-held", {
    description: "two engines: a command that waits for the test",
    steps: [
      { calls: [{ name: "shell", arguments: { command: "echo started; until [ -e /tmp/release ]; do sleep 0.2; done; echo > survived.txt" } }] },
      { say: "Finished." },
    ],
  });
  model.registerScript("two-engines-heading", {
    description: "two engines: a visible change",
    steps: [
      {
        calls: [
          {
            name: "apply_patch",
            arguments: {
              patch: `*** Begin Patch\n*** Update File: locales/en.json\n@@\n-    "title": "Simple, honest pricing",\n+    "title": "Fair pricing for every team",\n*** End Patch`,
            },
          },
        ],
      },
      { say: "Done." },
    ],
  });
  const admin = await createUser();
  await db().user.update({ where: { id: admin.id }, data: { role: "admin" } });
  adminId = admin.id;
  userId = (await createUser()).id;
  secondDataDir = mkdtempSync(path.join(tmpdir(), "patchbay-engine-2-"));
  plain = startWorker({ prefix: "engine1-", dataDir: mkdtempSync(path.join(tmpdir(), "patchbay-engine-1-")) });
  second = startWorker({ prefix: "engine2-", socket: engine.socket, dataDir: secondDataDir, labels: "second" });
  await Promise.all([waitUntilLive(plain.id), waitUntilLive(second.id)]);
}, 900_000);

afterAll(async () => {
  for (const child of processes) await killGroup(child);
  // Whatever a failed test left: nothing of these attempts may outlive the file on either engine.
  for (const each of engine ? engines() : [docker]) {
    for (const attemptId of attempts) {
      for (const info of await each.listContainers({ all: true, filters: { name: [attemptId] } })) {
        await each
          .getContainer(info.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      }
    }
  }
  await model?.close();
  await engine?.stop();
}, 300_000);

describe("two workers on two Docker engines", () => {
  it("sends a labelled environment's task to the worker that has the label, and serves its screenshots", async () => {
    const environment = await createEnvironment(userId, {
      name: "on engine 2",
      repoUrl: createPreviewAppRepo().url,
      workerLabels: ["second"],
      preview: {
        installCommand: PREVIEW_APP_CONFIG.installCommand,
        startCommand: PREVIEW_APP_CONFIG.startCommand,
        port: PREVIEW_APP_CONFIG.port,
        readinessPath: PREVIEW_APP_CONFIG.readinessPath,
        routes: { mode: "fixed", paths: ["/pricing"] },
        startTimeoutSec: 60,
      },
    });
    const task = await createTask(userId, { environmentId: environment.id, prompt: "[[script:two-engines-heading]] change the heading" });
    attempts.push(task.attemptId);
    // Its sandbox is on the second engine, never on the first.
    await waitFor("the attempt's sandbox on the second engine", async () => ((await containersOnEngines(task.attemptId))[1] > 0 ? true : null), 120_000);
    expect((await containersOnEngines(task.attemptId))[0]).toBe(0);
    const attempt = await waitForFinishedAttempt(task.attemptId, 240_000);
    expect(attempt.status).toBe("completed");
    expect(attempt.workerId).toBe(second.id);

    // The second worker's pictures come from the database: nothing is read from its data directory.
    const dto = await getTask(userId, task.id);
    const shot = dto.attempt?.screenshots?.shots[0];
    const url = shot && "url" in shot.after ? shot.after.url : "";
    expect(url).toMatch(/^\/api\/v1\/artifacts\//);
    const png = await bytesOf(readArtifact(userId, url.split("/").at(-1) ?? ""));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    await waitFor(
      "no container of the attempt on either engine",
      async () => ((await containersOnEngines(task.attemptId)).every((n) => n === 0) ? true : null),
      60_000,
    );
  });

  it("spreads tasks over both workers; one killed mid-task is retried on the other, leaving no container on either engine", async () => {
    const environment = await createEnvironment(userId, { name: "anywhere", repoUrl: createFixtureRepo().url });
    // Both free: the previous test's attempt may still be cleaning up after its sandbox is gone.
    await Promise.all([waitUntilLive(plain.id, true), waitUntilLive(second.id, true)]);
    const tasks = [
      await createTask(userId, { environmentId: environment.id, prompt: "[[script:two-engines-held]] one" }),
      await createTask(userId, { environmentId: environment.id, prompt: "[[script:two-engines-held]] two" }),
    ];
    attempts.push(...tasks.map((task) => task.attemptId));
    // One slot each: while one worker runs a task, the other takes the second.
    const runners = await waitFor(
      "both tasks to start, one on each worker",
      async () => {
        const rows = await db().attempt.findMany({ where: { id: { in: tasks.map((task) => task.attemptId) } }, select: { id: true, workerId: true } });
        const begun = await Promise.all(tasks.map((task) => started(task.id)));
        return begun.every(Boolean) && rows.every((row) => row.workerId) ? rows : null;
      },
      180_000,
    );
    expect(new Set(runners.map((row) => row.workerId))).toEqual(new Set([plain.id, second.id]));
    const onSecond = runners.find((row) => row.workerId === second.id)?.id ?? "";
    const onPlain = runners.find((row) => row.workerId === plain.id)?.id ?? "";
    expect((await containersOnEngines(onSecond))[1]).toBeGreaterThan(0);

    await killGroup(second.child);
    // The killed worker's task goes back to the queue and the first worker, once free, runs it again.
    await release(docker, onPlain);
    await release(docker, onSecond);
    const retried = await waitForFinishedAttempt(onSecond, 240_000);
    expect(retried.status).toBe("completed");
    expect(retried.workerId).toBe(plain.id);
    for (const task of tasks) expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");
    const statuses = (await listTaskEvents(tasks.find((task) => task.attemptId === onSecond)?.id ?? "", 0n)).flatMap((event) =>
      event.type === "status" ? [event.payload.message ?? ""] : [],
    );
    expect(statuses.some((message) => message.includes("previous worker stopped"))).toBe(true);

    // The dead worker's sandbox is on an engine only a worker of that machine sees: its successor there
    // removes it when it starts. The first engine never had one.
    const successor = startWorker({ prefix: "engine2-again-", socket: engine.socket, dataDir: secondDataDir, labels: "second" });
    await waitUntilLive(successor.id);
    await waitFor(
      "no container of either attempt on either engine",
      async () => {
        const counts = await Promise.all(tasks.map((task) => containersOnEngines(task.attemptId)));
        return counts.flat().every((n) => n === 0) ? true : null;
      },
      120_000,
    );
    expect((await listWorkers(adminId)).find((worker) => worker.workerId === second.id)?.state).not.toBe("live");
  }, 600_000);
});
