// The crash matrix: tasks stand at every stage at once (queued, provisioning, setup, agent, check,
// screenshots), held there by gates in their sandboxes (provisioning: by a git remote that holds the fetch); then the worker, Redis, PostgreSQL or each task's sandbox is killed
// with SIGKILL. After recovery every task must be in a true final state, its timeline whole (no lost or
// repeated event, one final status that matches the attempt), and nothing of it left in Docker.
//
// The web holds no task state: killing it must cost a watcher nothing; the event stream resumes from
// Last-Event-ID on the restarted web with every event exactly once.
//
// It runs the real worker and web processes against a PostgreSQL and a Redis of its own (test/support/
// private-services.ts), so killing them disturbs no other test.
import { spawnSync, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { isFinished, type AttemptStatusValue } from "@/lib/tasks/task-status";
import { createTask } from "@/lib/tasks/create-task";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { startModelServer } from "@/scripts/model-server/server";
import { createDocker } from "@/worker/sandbox/docker-driver";
import { instanceIdFor, LABEL_ATTEMPT, LABEL_INSTANCE, LABEL_WARM } from "@/worker/sandbox/labels";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { startHeldRemote, type HeldRemote } from "@/test/support/git-http-backend";
import { killGroup, spawnGroup } from "@/test/support/process-group";
import { createPreviewAppRepo, PREVIEW_APP_CONFIG } from "@/test/support/preview-app-repo";
import { freePort, startPrivatePostgres, startPrivateRedis, type PrivateServer } from "@/test/support/private-services";
import { removeWarmSandboxes } from "@/test/support/sandbox";
import { waitFor } from "@/test/support/wait-for";

type Stage = "queued" | "provisioning" | "setup" | "agent" | "check" | "screenshots";
const ALL_STAGES = ["queued", "provisioning", "setup", "agent", "check", "screenshots"] as const;
type Staged = { stage: Stage; taskId: string; attemptId: string };

const docker = createDocker("/var/run/docker.sock");
const SANDBOX_USER = "1000";
// A gate holds a stage until the test opens it: the stage's command marks that it arrived, then waits.
const gate = (stage: Stage) => `touch /tmp/at-${stage}; while [ ! -e /tmp/open ]; do sleep 0.2; done; touch /tmp/passed-${stage}`;
const HEADING_PATCH = `*** Begin Patch
*** Update File: locales/en.json
@@
-    "title": "Simple, honest pricing",
+    "title": "Fair pricing for every team",
*** End Patch`;

let postgres: PrivateServer;
let redis: PrivateServer;
let model: Awaited<ReturnType<typeof startModelServer>>;
let worker: ChildProcess | undefined;
let userId: string;

/** A query that may meet the database while it is down: no answer yet, try again. */
async function orNull<T>(query: () => Promise<T>): Promise<T | null> {
  try {
    return await query();
  } catch {
    return null;
  }
}

function startWorker(): ChildProcess {
  worker = spawnGroup("npx", ["tsx", "worker/index.ts"], {
    ...process.env,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    OPENAI_API_KEY: "sk-crash-matrix",
    OPENAI_BASE_URL: model.url,
    PATCHBAY_MODEL: "scripted",
    // One slot per held stage: the sixth task waits in the queue.
    PATCHBAY_WORKER_CONCURRENCY: "5",
    LOG_LEVEL: "error",
  });
  return worker;
}

async function attemptContainers(attemptId: string, running = false) {
  // By name: a warm sandbox an attempt took carries the pool's labels but the attempt's name.
  return docker.listContainers({ all: !running, filters: { name: [attemptId] } });
}

async function execIn(containerId: string, argv: string[]): Promise<number | null> {
  try {
    const exec = await docker.getContainer(containerId).exec({ Cmd: argv, User: SANDBOX_USER, AttachStdout: false, AttachStderr: false });
    await exec.start({ Detach: true });
    return await waitFor("an exec to end", async () => {
      const info = await exec.inspect();
      return info.Running ? null : { code: info.ExitCode };
    }).then((result) => result.code);
  } catch {
    return null; // the container went away meanwhile
  }
}

/** The running container of the attempt whose gate for `stage` is closed with the stage waiting at it. */
async function containerAtGate(entry: Staged): Promise<string | null> {
  for (const container of await attemptContainers(entry.attemptId, true)) {
    if ((await execIn(container.Id, ["test", "-e", `/tmp/at-${entry.stage}`])) === 0) return container.Id;
  }
  return null;
}

/** The stage's command went through its gate (or its container is gone). */
async function passedGate(entry: Staged): Promise<boolean> {
  for (const container of await attemptContainers(entry.attemptId, true)) {
    if ((await execIn(container.Id, ["test", "-e", `/tmp/at-${entry.stage}`])) !== 0) continue;
    return (await execIn(container.Id, ["test", "-e", `/tmp/passed-${entry.stage}`])) === 0;
  }
  return true;
}

async function attemptStatus(attemptId: string): Promise<AttemptStatusValue | null> {
  const row = await orNull(() => db().attempt.findUnique({ where: { id: attemptId }, select: { status: true } }));
  return (row?.status as AttemptStatusValue | undefined) ?? null;
}

/** Opens every gate in every container of these attempts until stopped (retries start new containers). */
function openGatesContinuously(attemptIds: string[]): () => Promise<void> {
  let stopped = false;
  heldRemote?.release();
  const loop = (async () => {
    while (!stopped) {
      for (const attemptId of attemptIds) {
        for (const container of await attemptContainers(attemptId, true).catch(() => [])) await execIn(container.Id, ["touch", "/tmp/open"]);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

let heldRemote: HeldRemote | undefined;

async function stagedTasks(label: string): Promise<Staged[]> {
  const repo = createFixtureRepo();
  await heldRemote?.close();
  heldRemote = await startHeldRemote(repo.dir);
  const remote = heldRemote;
  const previewRepo = createPreviewAppRepo();
  const say = (name: string, command: string) =>
    model.registerScript(`${label}-${name}`, { steps: [{ calls: [{ name: "shell", arguments: { command } }] }, { say: `Finished ${name}.` }] });
  say("setup", "echo done > setup-case.txt");
  say("agent", `${gate("agent")}; echo done > agent-case.txt`);
  say("check", "echo done > check-case.txt");
  say("queued", "echo done > queued-case.txt");
  say("provisioning", "echo done > provisioning-case.txt");
  model.registerScript(`${label}-screenshots`, {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: HEADING_PATCH } }] }, { say: "Finished screenshots." }],
  });

  const environments: Record<Exclude<Stage, "queued">, { id: string }> = {
    provisioning: await createEnvironment(userId, { name: `${label} provisioning`, repoUrl: remote.url }),
    setup: await createEnvironment(userId, { name: `${label} setup`, repoUrl: repo.url, setupScript: gate("setup") }),
    agent: await createEnvironment(userId, { name: `${label} agent`, repoUrl: repo.url }),
    check: await createEnvironment(userId, { name: `${label} check`, repoUrl: repo.url, checkCommand: gate("check") }),
    screenshots: await createEnvironment(userId, {
      name: `${label} screenshots`,
      repoUrl: previewRepo.url,
      preview: {
        installCommand: PREVIEW_APP_CONFIG.installCommand,
        startCommand: `${gate("screenshots")}; exec ${PREVIEW_APP_CONFIG.startCommand}`,
        port: PREVIEW_APP_CONFIG.port,
        readinessPath: PREVIEW_APP_CONFIG.readinessPath,
        routes: { mode: "fixed", paths: ["/pricing"] },
        startTimeoutSec: 180,
      },
    }),
  };
  const staged: Staged[] = [];
  for (const stage of ["provisioning", "setup", "agent", "check", "screenshots"] as const) {
    const task = await createTask(userId, { environmentId: environments[stage].id, prompt: `[[script:${label}-${stage}]] crash at ${stage}` });
    staged.push({ stage, taskId: task.id, attemptId: task.attemptId });
  }
  await waitFor(
    "every task to stand at its gate",
    async () => {
      for (const entry of staged) {
        const held =
          entry.stage === "provisioning" ? remote.waiting() > 0 && (await attemptStatus(entry.attemptId)) === "provisioning" : await containerAtGate(entry);
        if (!held) return false;
      }
      return true;
    },
    240_000,
    500,
  );
  // Every worker slot is held: this one stays queued.
  const queued = await createTask(userId, { environmentId: environments.agent.id, prompt: `[[script:${label}-queued]] crash while queued` });
  staged.push({ stage: "queued", taskId: queued.id, attemptId: queued.attemptId });
  expect(await attemptStatus(queued.attemptId)).toBe("queued");
  return staged;
}

type Outcome = { stage: Stage; status: AttemptStatusValue; error: string | null; checkPassed: boolean | null };

/** Waits for every attempt to finish, then checks the timeline and Docker for each; returns the outcomes. */
async function recoveredOutcomes(staged: Staged[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const entry of staged) {
    const attempt = await waitFor(
      `the ${entry.stage} attempt to finish`,
      async () => {
        const row = await orNull(() => db().attempt.findUnique({ where: { id: entry.attemptId } }));
        return row && isFinished(row.status as AttemptStatusValue) ? row : null;
      },
      300_000,
      500,
    );
    const events = await db().event.findMany({ where: { attemptId: entry.attemptId }, orderBy: { seq: "asc" } });
    // Nothing lost, nothing twice: one event per seq, no gaps.
    expect(
      events.map((event) => event.seq),
      `${entry.stage}: event seqs`,
    ).toEqual(events.map((_, index) => index + 1));
    const statuses = events.flatMap((event) => (event.type === "status" ? [(event.payload as { status: AttemptStatusValue }).status] : []));
    expect(
      statuses.filter((status) => isFinished(status)),
      `${entry.stage}: final status events`,
    ).toEqual([attempt.status]);
    expect(statuses.at(-1), `${entry.stage}: last status event`).toBe(attempt.status);
    if (attempt.status === "failed") {
      expect(attempt.error, `${entry.stage}: a failed attempt says why`).toMatch(/\w{4}/);
      expect(attempt.error, `${entry.stage}: no stack trace for people`).not.toMatch(/\n\s+at /);
    }
    outcomes.push({ stage: entry.stage, status: attempt.status as AttemptStatusValue, error: attempt.error, checkPassed: attempt.checkPassed });
  }
  // The attempts' own cleanup, or the reaper for what a dead worker left, removes every container,
  // network and volume of them.
  const attemptIds = new Set(staged.map((entry) => entry.attemptId));
  const leftovers = async () => {
    const label = (labels: Record<string, string> | undefined | null) => attemptIds.has(labels?.[LABEL_ATTEMPT] ?? "");
    const named = (name = "") => [...attemptIds].some((id) => name.includes(id));
    const all = await docker.listContainers({ all: true });
    const containers = all.filter((c) => label(c.Labels) || named(c.Names[0])).map((c) => c.Names[0]);
    const networks = (await docker.listNetworks()).filter((n) => label(n.Labels)).map((n) => n.Name);
    const volumes = ((await docker.listVolumes()).Volumes ?? []).filter((v) => label(v.Labels)).map((v) => v.Name);
    // Warm sandboxes carry the pool's labels: the worker still running keeps some ready, but a warm volume
    // that no warm container mounts is one an attempt took and left behind.
    const instance = instanceIdFor(postgres.url);
    const warm = (labels: Record<string, string> | undefined | null) => labels?.[LABEL_WARM] === "true" && labels[LABEL_INSTANCE] === instance;
    const mounted = new Set(all.filter((c) => warm(c.Labels)).flatMap((c) => c.Mounts.map((m) => m.Name)));
    const warmVolumes = ((await docker.listVolumes()).Volumes ?? []).filter((v) => warm(v.Labels) && !mounted.has(v.Name)).map((v) => v.Name);
    return [...containers, ...networks, ...volumes, ...warmVolumes];
  };
  await waitFor("nothing of the attempts left in Docker", async () => (await leftovers()).length === 0, 180_000, 1000).catch(async (error) => {
    throw new Error(`${(error as Error).message}: ${(await leftovers()).join(", ")}`);
  });
  return outcomes;
}

const byStage = (outcomes: Outcome[]) => Object.fromEntries(outcomes.map((outcome) => [outcome.stage, outcome]));

function expectAllCompleted(outcomes: Outcome[]): void {
  const found = byStage(outcomes);
  for (const stage of ALL_STAGES) expect(found[stage]?.status, `${stage}: ${found[stage]?.error}`).toBe("completed");
}

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  await applyMigrations(postgres.url);
  // Everything this file reads and queues goes to the private services (lib/env parses on first use).
  process.env.DATABASE_URL = postgres.url;
  process.env.REDIS_URL = redis.url;
  model = await startModelServer({ port: 0 });
  userId = (await db().user.create({ data: { email: "crash@example.com", role: "engineer" } })).id;
  startWorker();
}, 240_000);

afterAll(async () => {
  await killGroup(worker);
  if (postgres) await removeWarmSandboxes({ instanceId: instanceIdFor(postgres.url) });
  await heldRemote?.close();
  await model?.close();
  await db()
    .$disconnect()
    .catch(() => undefined);
  await Promise.all([postgres?.destroy(), redis?.destroy()]);
});

describe("crash matrix", () => {
  it("kill -9 of the worker: every stage is taken up again by a new worker and completes", async () => {
    const staged = await stagedTasks("worker");
    await killGroup(worker);
    startWorker();
    const stopOpening = openGatesContinuously(staged.map((entry) => entry.attemptId));
    try {
      expectAllCompleted(await recoveredOutcomes(staged));
    } finally {
      await stopOpening();
    }
  }, 900_000);

  it("kill -9 of each task's sandbox: the attempt ends with a reason, or carries on when the stage can do without it", async () => {
    const staged = await stagedTasks("sandbox");
    for (const entry of staged) {
      if (entry.stage === "queued" || entry.stage === "provisioning") continue; // no sandbox yet
      const container = await containerAtGate(entry);
      expect(container, `${entry.stage}: container at the gate`).toBeTruthy();
      await docker.getContainer(container as string).kill({ signal: "SIGKILL" });
    }
    const stopOpening = openGatesContinuously(staged.map((entry) => entry.attemptId));
    try {
      const outcomes = byStage(await recoveredOutcomes(staged));
      expect(outcomes.queued?.status).toBe("completed");
      expect(outcomes.provisioning?.status).toBe("completed");
      for (const stage of ["setup", "agent"] as const) {
        expect(outcomes[stage]?.status, `${stage}: ${outcomes[stage]?.error}`).toBe("failed");
      }
      // The diff is taken before the check: a check whose sandbox dies is a failed check, and a preview
      // that dies costs the screenshots (reported), not the diff.
      expect(outcomes.check).toMatchObject({ status: "completed", checkPassed: false });
      expect(outcomes.screenshots?.status, outcomes.screenshots?.error ?? "").toBe("completed");
    } finally {
      await stopOpening();
    }
  }, 900_000);

  for (const service of ["Redis", "PostgreSQL"] as const) {
    for (const when of ["while every stage waits", "while the stages move on"] as const) {
      it(`kill -9 of ${service} ${when}: after it restarts every task completes`, async () => {
        const staged = await stagedTasks(`${service.toLowerCase()}-${when.split(" ").at(-1)}`);
        const server = service === "Redis" ? redis : postgres;
        await server.crash();
        if (when === "while every stage waits") await server.start();
        const stopOpening = openGatesContinuously(staged.map((entry) => entry.attemptId));
        try {
          if (when === "while the stages move on") {
            // Each stage goes on with the service down, and has to write or publish what it did.
            await waitFor(
              "every stage to pass its gate",
              async () => {
                for (const entry of staged) if (entry.stage !== "queued" && entry.stage !== "provisioning" && !(await passedGate(entry))) return false;
                return true;
              },
              120_000,
              300,
            );
            await server.start();
          }
          // Redis: the worker keeps going on PostgreSQL and catches up on publishing. PostgreSQL: opening a
          // connection is retried for a while (lib/db-connection-retry.ts), so a restart is only a pause.
          expectAllCompleted(await recoveredOutcomes(staged));
          expect(worker?.exitCode, "the worker survives the outage").toBeNull();
        } finally {
          await stopOpening();
        }
      }, 900_000);
    }
  }
});

type SseEvent = { id: string; type: string };

/** Reads a task's event stream until `stop` says so or the stream ends; a broken connection just ends it. */
async function readTaskEvents(origin: string, token: string, taskId: string, lastEventId: string | null, stop: (event: SseEvent) => boolean) {
  const received: SseEvent[] = [];
  const controller = new AbortController();
  try {
    const response = await fetch(`${origin}/api/v1/tasks/${taskId}/events`, {
      headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let boundary = buffer.indexOf("\n\n");
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf("\n\n");
        const field = (name: string) =>
          block
            .split("\n")
            .find((line) => line.startsWith(`${name}: `))
            ?.slice(name.length + 2) ?? "";
        const event = { id: field("id"), type: field("event") };
        if (!event.type) continue; // a comment (keep-alive) or a retry hint
        received.push(event);
        if (stop(event)) return received;
      }
    }
  } catch {
    // The web went away mid-stream: what arrived before is what the watcher saw.
  } finally {
    controller.abort();
  }
  return received;
}

describe("crash matrix: the web", () => {
  let web: ChildProcess | undefined;
  let origin: string;
  let token: string;

  const startWeb = async () => {
    const port = Number(new URL(origin).port);
    web = spawnGroup("node_modules/.bin/tsx", ["scripts/web/server.ts", "--port", String(port), "--host", "127.0.0.1"], {
      ...process.env,
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      NEXTAUTH_URL: origin,
      LOG_LEVEL: "error",
    });
    await waitFor(
      "the web to answer",
      async () => (await fetch(`${origin}/api/v1/tasks`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null))?.status === 200,
      120_000,
      200,
    );
  };
  beforeAll(async () => {
    // The production build the web serves (incremental: nothing to do when it is current; npm test builds it first).
    const build = spawnSync("bash", ["scripts/setup/build-web.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (build.status !== 0) throw new Error(`building the web app failed:\n${build.stdout}\n${build.stderr}`);
    origin = `http://127.0.0.1:${await freePort()}`;
    token = await createApiToken(userId, { name: "crash matrix" });
    await startWeb();
  }, 600_000);

  afterAll(async () => {
    await killGroup(web);
  });

  it("kill -9 of the web mid-task: the task goes on, and the watcher's stream resumes with every event once", async () => {
    const repo = createFixtureRepo();
    model.registerScript("web-agent", {
      steps: [{ calls: [{ name: "shell", arguments: { command: `${gate("agent")}; echo done > web-case.txt` } }] }, { say: "Finished web." }],
    });
    const environment = await createEnvironment(userId, { name: "web crash", repoUrl: repo.url });
    const task = await createTask(userId, { environmentId: environment.id, prompt: "[[script:web-agent]] crash the web" });
    const entry: Staged = { stage: "agent", taskId: task.id, attemptId: task.attemptId };
    await waitFor("the agent to stand at its gate", () => containerAtGate(entry), 240_000, 500);

    // Watch until the held command shows, then the web dies under the open stream.
    const before = await readTaskEvents(origin, token, task.id, null, (event) => event.type === "tool.begin");
    expect(before.at(-1)?.type).toBe("tool.begin");
    await killGroup(web);
    const stopOpening = openGatesContinuously([task.attemptId]);
    try {
      // The worker finishes while no web runs; the watcher reconnects to the restarted web.
      const attempt = await waitFor(
        "the attempt to finish without a web",
        async () => {
          const status = await attemptStatus(task.attemptId);
          return status && isFinished(status) ? status : null;
        },
        180_000,
        300,
      );
      expect(attempt).toBe("completed");
      await startWeb();
      const after = await readTaskEvents(origin, token, task.id, before.at(-1)?.id ?? null, (event) => event.type === "end");
      expect(after.at(-1)?.type).toBe("end");

      const seen = [...before, ...after].filter((event) => event.type !== "end").map((event) => event.id);
      const stored = (await db().event.findMany({ where: { attemptId: task.attemptId }, orderBy: { id: "asc" }, select: { id: true } })).map((row) =>
        row.id.toString(),
      );
      expect(seen).toEqual(stored);
    } finally {
      await stopOpening();
    }
  }, 600_000);
});
