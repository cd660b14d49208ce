// B1: submit → the agent's first command, against a floor measured in the same run (docs/benchmarks.md §1).
//   floor: what a sandbox needs at least: create + start a container with the same hardening (the driver's
//          ensure, volumes included), `git clone --shared` of the repository's mirror on the host, and one
//          exec of `true` in the container.
//   Patchbay: createTask → the first shell `tool.begin` of its attempt (both Postgres timestamps), through
//          the real queue, the real attempt processor on a BullMQ worker (the integration tests'
//          startTestWorker), the scripted model server at zero latency, real Docker, Postgres and Redis; an
//          environment without a setup script, on a small local repository.
// Floor and task alternate, after warm-up. The parts of the task's time (queue pickup, sandbox provisioning,
// agent start) come from the attempt's status events. Run by hand: npx tsx scripts/bench/first-command.ts
// (part of `npm run bench`). A benchmark, not a test: it never asserts timings and exits 0 unless its own
// setup fails. Needs the integration-test database (PATCHBAY_BENCH_DATABASE_URL, must end in _test) and its
// own Redis db (PATCHBAY_BENCH_REDIS_URL, default db 4).
import { SHELL_LAUNCHER } from "@/worker/agent/tools/shell-session";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { db, disconnectDb } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { attemptsQueue, closeProducer } from "@/lib/queue/producer";
import { createTask } from "@/lib/tasks/create-task";
import { isFinished, type AttemptStatusValue } from "@/lib/tasks/task-status";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { startModelServer, type ModelServer } from "@/scripts/model-server/server";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { createUser, startTestWorker, type TestWorker } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";
import { createMirrorCache } from "@/worker/repos/mirror-cache";
import { clampLimits } from "@/worker/sandbox/container-template";
import { createDocker, createDockerDriver } from "@/worker/sandbox/docker-driver";
import type { SandboxDriver, SandboxSpec } from "@/worker/sandbox/driver";
import { LABEL_WORKER } from "@/worker/sandbox/labels";
import { benchSandboxSpec, checkTaskBenchServices, cleanupInto, finishTaskBenchReport, pointAtBenchServices } from "./bench-services";
import { countLeaks, median, percentile, round2, sampleCollector, stats } from "./bench-stats";

const execFileAsync = promisify(execFile);

const WARMUP = 2;
const N = 7;
const TARGET_RATIO = 1.5;
const WARM_TARGET_RATIO = 0.5;
const QUEUE_PICKUP_TARGET_MS = 10;
const BURST = 20;
const BURST_PEOPLE = 4;
const NOISY_LOAD1 = 0.5;
const TASK_TIMEOUT_MS = 120_000;
const MODEL_SCRIPT = "bench-first-command";
const LIMITS = clampLimits(4096, 2);
const IMAGE = process.env.PATCHBAY_BENCH_IMAGE ?? "patchbay-sandbox:latest";
const DOCKER_SOCKET = process.env.PATCHBAY_DOCKER_SOCKET ?? "/var/run/docker.sock";
const DATABASE_URL = process.env.PATCHBAY_BENCH_DATABASE_URL ?? "postgresql://patchbay:patchbay@127.0.0.1:5432/patchbay_test";
const REDIS_URL = process.env.PATCHBAY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/4";
const SECRETS_KEY = "YmVuY2gtZmlyc3QtY29tbWFuZC1zZWNyZXRzLWtleTA";
const RUN_TAG = randomBytes(4).toString("hex");
const INSTANCE_ID = `bench-first-command-${RUN_TAG}`;
const WORKER_ID = INSTANCE_ID;

const failures: string[] = [];
const cleanupErrors: string[] = [];

const cleanup = cleanupInto(cleanupErrors);

type TaskRun = { totalMs: number; pickupMs: number; queueMs: number; provisionMs: number; agentStartMs: number; attemptId: string };

/** One task: created → first shell tool.begin, split at the attempt's provisioning and running events. */
async function runTask(worker: TestWorker, userId: string, environmentId: string, label: string, attemptIds: Set<string>): Promise<TaskRun> {
  const created = await createTask(userId, { environmentId, prompt: `[[script:${MODEL_SCRIPT}]] ${label}` });
  attemptIds.add(created.attemptId);
  // Finished and out of the processor (its sandbox removed): the next measurement starts on a quiet host.
  await waitFor(
    `attempt ${created.attemptId} to finish`,
    async () => {
      const row = await db().attempt.findUnique({ where: { id: created.attemptId }, select: { status: true } });
      return row && isFinished(row.status as AttemptStatusValue) && !worker.deps.active.has(created.attemptId) ? row : null;
    },
    TASK_TIMEOUT_MS,
    50,
  );
  const task = await db().task.findUniqueOrThrow({ where: { id: created.id }, select: { createdAt: true } });
  const events = await listTaskEvents(created.id, 0n);
  const at = (find: (event: (typeof events)[number]) => boolean) => {
    const event = events.find(find);
    return event ? Date.parse(event.createdAt) : Number.NaN;
  };
  const created0 = task.createdAt.getTime();
  const provisioning = at((event) => event.type === "status" && event.payload.status === "provisioning");
  const running = at((event) => event.type === "status" && event.payload.status === "running");
  const firstShell = at((event) => event.type === "tool.begin" && event.payload.tool === "shell");
  if (!Number.isFinite(firstShell)) throw new Error(`${label}: no shell tool.begin`);
  // The queue alone: BullMQ's own stamps of the job's add and of a worker taking it.
  const job = await attemptsQueue().getJob(created.attemptId);
  if (!job?.processedOn) throw new Error(`${label}: its job is not in the queue's records`);
  return {
    totalMs: firstShell - created0,
    pickupMs: provisioning - created0,
    queueMs: job.processedOn - job.timestamp,
    provisionMs: running - provisioning,
    agentStartMs: firstShell - running,
    attemptId: created.attemptId,
  };
}

function benchSpec(): SandboxSpec {
  return benchSandboxSpec({ instanceId: INSTANCE_ID, workerId: WORKER_ID, image: IMAGE, limits: LIMITS });
}

type Rounds = { floor: ReturnType<typeof stats>; task: ReturnType<typeof stats>; runs: TaskRun[] };

/** WARMUP + N rounds of the floor and one task, alternating which goes first. */
async function measureRounds(input: {
  worker: TestWorker;
  driver: SandboxDriver;
  userId: string;
  environmentId: string;
  mirrorPath: string;
  tmpRoot: string;
  attemptIds: Set<string>;
  floorSpecs: string[];
  label: string;
  beforeTask?: () => Promise<void>;
}): Promise<Rounds> {
  const { driver } = input;
  const floor = sampleCollector();
  const task = sampleCollector();
  const runs: TaskRun[] = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const measured = i >= WARMUP;
    const measureFloor = async () => {
      const spec = benchSpec();
      input.floorSpecs.push(spec.attemptId);
      const clone = path.join(input.tmpRoot, `clone-${input.label}-${i}`);
      const started = performance.now();
      try {
        const handle = await driver.ensure(spec);
        await execFileAsync("git", ["clone", "-q", "--shared", "--no-checkout", input.mirrorPath, clone]);
        const ran = await driver.exec(handle, ["true"], { timeoutSec: 30, maxOutputBytes: 4096 });
        if (ran.exitCode !== 0) throw new Error(`true exited ${ran.exitCode}`);
        return performance.now() - started;
      } catch (error) {
        failures.push(`floor ${input.label} ${i}: ${(error as Error).message.split("\n")[0]}`);
        return undefined;
      } finally {
        await cleanup(`floor ${spec.attemptId}`, () => driver.destroy(spec.attemptId));
        rmSync(clone, { recursive: true, force: true });
      }
    };
    const measureTask = async () => {
      try {
        await input.beforeTask?.();
        const run = await runTask(input.worker, input.userId, input.environmentId, `${input.label} ${i}`, input.attemptIds);
        if (measured) runs.push(run);
        return run.totalMs;
      } catch (error) {
        failures.push(`task ${input.label} ${i}: ${(error as Error).message.split("\n")[0]}`);
        return undefined;
      }
    };
    let floorMs: number | undefined;
    let taskMs: number | undefined;
    if (i % 2 === 0) {
      floorMs = await measureFloor();
      taskMs = await measureTask();
    } else {
      taskMs = await measureTask();
      floorMs = await measureFloor();
    }
    if (!measured) continue;
    floor.add(floorMs);
    task.add(taskMs);
  }
  return { floor: stats(floor.samples, floor.attempts), task: stats(task.samples, task.attempts), runs };
}

function taskResult(variant: string, rounds: Rounds, target: number): Record<string, unknown> {
  const ratio = rounds.floor.p50 > 0 ? round2(rounds.task.p50 / rounds.floor.p50) : null;
  const part = (pick: (run: TaskRun) => number) => round2(median(rounds.runs.map(pick)));
  return {
    id: "B1",
    variant,
    unit: "ms",
    warmup: WARMUP,
    ...rounds.task,
    floor: "sandbox",
    ratio,
    target,
    meetsTarget: ratio !== null && ratio <= target,
    parts: {
      pickupMs: part((run) => run.pickupMs),
      queueMs: part((run) => run.queueMs),
      provisionMs: part((run) => run.provisionMs),
      agentStartMs: part((run) => run.agentStartMs),
    },
    queuePickupTargetMs: QUEUE_PICKUP_TARGET_MS,
    meetsQueuePickupTarget: part((run) => run.queueMs) <= QUEUE_PICKUP_TARGET_MS,
    note: "Task.createdAt → first shell tool.begin; parts (medians): created → provisioning event (pickup: the task's insert, the queue, loading the attempt), of which queueMs is the queue alone (BullMQ's job added → taken by a worker), provisioning → running (sandbox ready), running → first command. The floor is measured in the same rounds",
  };
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const load1Start = os.loadavg()[0] ?? 0;
  pointAtBenchServices({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, secretsKey: SECRETS_KEY });
  const docker = createDocker(DOCKER_SOCKET);
  const facts = await checkTaskBenchServices(docker, { image: IMAGE, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL });

  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "patchbay-bench-first-command-"));
  const driver = createDockerDriver(docker, { allowedImages: [IMAGE] });
  const mirrors = createMirrorCache({ root: path.join(tmpRoot, "mirrors"), timeoutMs: 30_000, allowLocal: true });
  const repo = createFixtureRepo();
  const attemptIds = new Set<string>();
  const floorSpecs: string[] = [];
  let userId: string | null = null;
  const teamIds: string[] = [];
  let worker: TestWorker | undefined;
  let pooled: SandboxDriver | undefined;
  let model: ModelServer | undefined;
  const results: Record<string, unknown>[] = [];
  const runs: Record<string, TaskRun[]> = {};
  let setupError: string | null = null;

  try {
    model = await startModelServer({ port: 0 });
    model.registerScript(MODEL_SCRIPT, {
      description: "first-command bench: one shell call, then done",
      steps: [{ calls: [{ name: "shell", arguments: { command: "true" } }] }, { say: "done" }],
    });
    const tmpBefore = new Set(readdirSync(os.tmpdir()));
    worker = startTestWorker(model.url, { instanceId: INSTANCE_ID, workerId: WORKER_ID, driver, limits: LIMITS, secretsKey: SECRETS_KEY, mirrors });
    // startTestWorker makes a mirror dir even when `mirrors` is given: it stays empty, remove it.
    for (const name of readdirSync(os.tmpdir())) {
      if (name.startsWith("patchbay-mirrors-") && !tmpBefore.has(name)) await cleanup(`empty ${name}`, () => rmdirSync(path.join(os.tmpdir(), name)));
    }
    const user = await createUser(`bench-first-command-${RUN_TAG}@example.com`);
    userId = user.id;
    const environment = await createEnvironment(user.id, { name: `bench-first-command-${RUN_TAG}`, repoUrl: repo.url });
    const mirrorPath = await mirrors.sync(repo.url, null);

    // Pool empty: every attempt creates its own sandbox.
    const rounds = { driver, userId: user.id, environmentId: environment.id, mirrorPath, tmpRoot, attemptIds, floorSpecs };
    const empty = await measureRounds({ ...rounds, worker, label: "empty" });
    results.push({ id: "B1", variant: "floor-create-clone-exec", unit: "ms", warmup: WARMUP, ...empty.floor, floor: "sandbox", ratio: 1 });
    results.push(taskResult("submit-to-first-command-pool-empty", empty, TARGET_RATIO));
    runs.poolEmpty = empty.runs;

    // Warm pool: the production worker's default (one warm sandbox per slot). Each task starts once the pool
    // is full again, as on a worker that is not saturated; the burst below shows the saturated case.
    await worker.close();
    worker = undefined;
    pooled = createDockerDriver(docker, {
      allowedImages: [IMAGE],
      warmPool: {
        size: 2,
        identity: { instanceId: INSTANCE_ID, workerId: WORKER_ID, image: IMAGE, limits: LIMITS },
        startedProcess: SHELL_LAUNCHER,
        onError: (error) => failures.push(`warm pool: ${(error as Error).message.split("\n")[0]}`),
      },
    });
    const warmDriver = pooled;
    worker = startTestWorker(model.url, { instanceId: INSTANCE_ID, workerId: WORKER_ID, driver: warmDriver, limits: LIMITS, secretsKey: SECRETS_KEY, mirrors });
    const warm = await measureRounds({
      ...rounds,
      worker,
      label: "warm",
      beforeTask: async () => {
        await warmDriver.warm?.fill();
      },
    });
    results.push({ id: "B1", variant: "floor-create-clone-exec-warm-rounds", unit: "ms", warmup: WARMUP, ...warm.floor, floor: "sandbox", ratio: 1 });
    results.push(taskResult("submit-to-first-command-warm-pool", warm, WARM_TARGET_RATIO));
    runs.warmPool = warm.runs;

    // B1 burst: BURST tasks submitted at once to one worker (two attempts at a time, the production default),
    // by a team of BURST_PEOPLE (one person may have 8 attempts queued or running at once): every one must
    // finish, and nothing of theirs may be left on the Docker host once they have.
    console.error(`burst: ${BURST} tasks at once by ${BURST_PEOPLE} people`);
    const team = [{ userId: user.id, environmentId: environment.id }];
    for (let i = 1; i < BURST_PEOPLE; i++) {
      const member = await createUser(`bench-first-command-${RUN_TAG}-${i}@example.com`);
      teamIds.push(member.id);
      const own = await createEnvironment(member.id, { name: `bench-first-command-${RUN_TAG}-${i}`, repoUrl: repo.url });
      team.push({ userId: member.id, environmentId: own.id });
    }
    const burstStarted = performance.now();
    const burst = await Promise.all(
      Array.from({ length: BURST }, (_, i) => {
        const member = team[i % team.length] as (typeof team)[number];
        return runTask(worker as TestWorker, member.userId, member.environmentId, `burst ${i}`, attemptIds).catch((error: unknown) => {
          failures.push(`burst ${i}: ${(error as Error).message.split("\n")[0]}`);
          return null;
        });
      }),
    );
    const burstMs = performance.now() - burstStarted;
    const finished = burst.filter((run): run is TaskRun => run !== null);
    // The pool's ready sandboxes are not leaks: they go with the worker's shutdown (its drain), before the count.
    await warmDriver.warm?.drain();
    const leftAfterBurst = await countLeaks(docker, { label: [`${LABEL_WORKER}=${WORKER_ID}`] });
    const burstStats = stats(
      finished.map((run) => run.totalMs),
      BURST,
    );
    results.push({
      id: "B1",
      variant: `burst-${BURST}-submit-to-first-command`,
      unit: "ms",
      warmup: 0,
      ...burstStats,
      p95: percentile(
        finished.map((run) => run.totalMs),
        0.95,
      ),
      floor: null,
      ratio: null,
      target: `all ${BURST} finish; nothing left on the Docker host`,
      meetsTarget: finished.length === BURST && leftAfterBurst.containers + leftAfterBurst.volumes + leftAfterBurst.networks === 0,
      parts: { completed: finished.length, wallMs: round2(burstMs), leftOnDockerHost: leftAfterBurst },
      note: `${BURST} tasks created at once on a worker with a warm pool of 2; each one's Task.createdAt → first shell tool.begin (queued behind the others: two attempts run at a time). leftOnDockerHost counts this run's containers, volumes and networks once all had finished and the pool was drained, before the bench's own cleanup`,
    });
  } catch (error) {
    setupError = (error as Error).message.split("\n")[0] ?? String(error);
    console.error(error);
  } finally {
    await cleanup("worker", () => worker?.close());
    await cleanup("warm pool", async () => pooled?.warm?.drain());
    await cleanup("model server", () => model?.close());
    for (const id of [...attemptIds, ...floorSpecs]) await cleanup(`destroy ${id}`, () => driver.destroy(id));
    const ids = [...(userId ? [userId] : []), ...teamIds];
    if (ids.length > 0) await cleanup("database rows", () => db().user.deleteMany({ where: { id: { in: ids } } }));
    await cleanup("queue keys", () => attemptsQueue().obliterate({ force: true }));
    await cleanup("producer", () => closeProducer());
    await cleanup("database", () => disconnectDb());
    rmSync(tmpRoot, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  }
  const leaked = await countLeaks(docker, { label: [`${LABEL_WORKER}=${WORKER_ID}`] });
  return finishTaskBenchReport("first-command", {
    startedAt,
    load1Start,
    noisyLoad1: NOISY_LOAD1,
    facts,
    image: IMAGE,
    config: { warmup: WARMUP, n: N },
    runs,
    failures,
    cleanupErrors,
    leaked,
    setupError,
    results,
  });
}

process.exitCode = await main();
