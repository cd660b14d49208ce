// B5/B10 (small): environment setup and its cache, against floors measured in the same run (docs/benchmarks.md §1).
//   1. TTFC (task created → the agent's first shell `tool.begin`) on a setup-cache hit vs the same repository
//      in an environment without a setup script; the real attempt processor on a real BullMQ worker (the
//      integration tests' startTestWorker), the scripted model server, real Docker, Postgres and Redis.
//   2. Restoring a ~300 MB node_modules-like tree (30k files) from a setup cache with the driver's
//      prepareWorkspace vs a plain `cp -a` of the same tree between two volumes in one `docker run --rm`.
//   3. Setup on a miss (the setup phase's durationMs; `npm ci` of the Vite fixture through the egress proxy)
//      vs `npm ci` of the same fixture run directly on the host with an empty npm cache.
// 1 and 2 also run with the sandbox volumes size-capped (ext4 on a loop device, PATCHBAY_BENCH_WORKSPACE_SIZE,
// default 10g, "0" to skip) as a production worker running as root has them; the integration tests' worker
// has plain volumes. Those variants need root, losetup and mkfs.ext4, and are skipped (and say why) without.
// Run by hand: npx tsx scripts/bench/setup-cache.ts (part of `npm run bench`). A benchmark, not a test: it
// never asserts timings and exits 0 unless its own setup fails. It needs the integration-test database
// (PATCHBAY_BENCH_DATABASE_URL, must end in _test) and the npm registry (setup and the host floor install
// from it). It uses its own Redis db (PATCHBAY_BENCH_REDIS_URL, default db 3): the integration tests' worker
// consumes the same queue on db 1 and would take this bench's jobs (and this bench's worker theirs). Its
// sandboxes, volumes and setup-cache rows carry their own installation id and host name, so no other
// worker's reaper or cache eviction judges them. Everything it creates (containers, volumes, rows, queue
// keys, temp dirs) is removed in a finally; what is left anyway is reported under run.leaked.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { db, disconnectDb } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { resetSetupCache } from "@/lib/environments/setup-cache-store";
import { parseStoredSetupReport, type SetupReport } from "@/lib/environments/setup-report";
import { attemptsQueue, closeProducer, copyCatalogQueue } from "@/lib/queue/producer";
import { createTask } from "@/lib/tasks/create-task";
import { isFinished, type AttemptStatusValue } from "@/lib/tasks/task-status";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { startModelServer, type ModelServer } from "@/scripts/model-server/server";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { startTestWorker, createUser, type TestWorker } from "@/test/support/test-worker";
import { createViteAppRepo } from "@/test/support/vite-app-repo";
import { waitFor } from "@/test/support/wait-for";
import { createMirrorCache } from "@/worker/repos/mirror-cache";
import { clampLimits } from "@/worker/sandbox/container-template";
import { createDocker, createDockerDriver, pingDocker } from "@/worker/sandbox/docker-driver";
import { createWorkspaceDisk, parseSize, type WorkspaceDisk } from "@/worker/sandbox/workspace-disk";
import { createLayeredVolumes } from "@/worker/sandbox/layered-volumes";
import type { CacheVolumes, SandboxDriver, SandboxSpec } from "@/worker/sandbox/driver";
import {
  cacheVolumeNames,
  LABEL_ENVIRONMENT,
  LABEL_INSTANCE,
  LABEL_MANAGED,
  LABEL_SETUP_CACHE,
  LABEL_WORKER,
  workspaceVolumeName,
} from "@/worker/sandbox/labels";
import { benchSandboxSpec, cleanupInto, pointAtBenchServices } from "./bench-services";
import { countLeaks, gitDirty, gitSha, hostEnv, stats, type Stats, writeBenchReport, median, round2, sampleCollector } from "./bench-stats";

const execFileAsync = promisify(execFile);

// ---- configuration -----------------------------------------------------------------------------------

// Scenario 1: one warming task (a miss), then TTFC_WARMUP discarded pairs, then TTFC_N interleaved pairs.
const TTFC_WARMUP = 1;
const TTFC_N = 5;
const TARGET_TTFC_RATIO = 1.5;
// Scenario 2: the synthetic tree, and restore/floor pairs.
const TREE_PACKAGES = 300;
const TREE_FILES_PER_PACKAGE = 100;
const TREE_MEAN_FILE_BYTES = 10 * 1024;
const COPY_WARMUP = 1;
const COPY_N = 5;
// Scenario 3: npm ci takes seconds each, so few iterations.
const MISS_WARMUP = 1;
const MISS_N = 3;

const NOISY_LOAD1 = 0.5;
const TASK_TIMEOUT_MS = 300_000;
const SETUP_SCRIPT = "npm ci --no-audit --no-fund";
const MODEL_SCRIPT = "bench-setup-cache";
const FIRST_COMMAND = "echo bench-first-command";
const FIXTURE_DIR = path.resolve(import.meta.dirname, "../../test/fixtures/vite-app");
// The worker's production defaults (PATCHBAY_SANDBOX_MEMORY_MB, PATCHBAY_SANDBOX_CPUS in lib/env.ts): npm ci is CPU-bound.
const LIMITS = clampLimits(4096, 2);

const IMAGE = process.env.PATCHBAY_BENCH_IMAGE ?? "patchbay-sandbox:latest";
const DOCKER_SOCKET = process.env.PATCHBAY_DOCKER_SOCKET ?? "/var/run/docker.sock";
// Caps for the capped variants, as PATCHBAY_WORKSPACE_SIZE (default 10g); "0" skips them.
const WORKSPACE_SIZE = process.env.PATCHBAY_BENCH_WORKSPACE_SIZE ?? "10g";
const DATABASE_URL = process.env.PATCHBAY_BENCH_DATABASE_URL ?? "postgresql://patchbay:patchbay@127.0.0.1:5432/patchbay_test";
const REDIS_URL = process.env.PATCHBAY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/3";
// Which scenarios run (comma-separated: ttfc, miss, restore; default all): one alone is quicker to iterate on.
// How setup caches are restored: "layer" (copy-on-write, where the host allows it, as the worker does) or "copy".
const RESTORE = process.env.PATCHBAY_BENCH_RESTORE === "copy" ? "copy" : "layer";
const SCENARIOS = new Set((process.env.PATCHBAY_BENCH_SCENARIOS ?? "ttfc,miss,restore").split(",").map((name) => name.trim()));
// Any 32 bytes (base64): the bench's environments have no secrets, but the worker expects a key.
const SECRETS_KEY = "YmVuY2gtc2V0dXAtY2FjaGUtc2VjcmV0cy1rZXktMDE";

// Every container, volume and cache row of this run carries these, so cleanup and the leak check find them.
const RUN_TAG = randomBytes(4).toString("hex");
const INSTANCE_ID = `bench-setup-cache-${RUN_TAG}`;
const WORKER_ID = INSTANCE_ID;
const HOST_NAME = `${INSTANCE_ID}@${os.hostname()}`;

type FloorName = "ttfcNoSetup" | "ttfcNoSetupCapped" | "plainCopy" | "plainCopyCapped" | "hostNpmCi";
type Result = {
  id: "B5" | "B10";
  variant: string;
  unit: "ms";
  warmup: number;
  floor: FloorName | null;
  ratio: number | null;
} & Stats &
  Record<string, unknown>;

const ratioTo = (value: number, floor: number) => (Number.isFinite(value) && Number.isFinite(floor) && floor > 0 ? round2(value / floor) : null);

const failures: string[] = [];
const cleanupErrors: string[] = [];
/** One iteration; a failure is logged and counted, never thrown, so one bad run cannot end the bench. */
async function attempt<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    const message = `${label}: ${(error as Error).message.split("\n")[0]}`;
    failures.push(message);
    console.error(`iteration failed: ${message}`);
    return undefined;
  }
}

const cleanup = cleanupInto(cleanupErrors);

// ---- scenario 1 and 3: tasks through the real attempt processor -----------------------------------------

type TaskRun = {
  label: string;
  ok: boolean;
  attemptId: string;
  taskId: string;
  /** Task.createdAt → the agent's first shell tool.begin (both Postgres timestamps). */
  ttfcMs?: number;
  setup?: SetupReport | null;
  /** The setup script's own exec (tool.end durationMs of callId "setup"), on a miss. */
  setupExecMs?: number;
};

type TaskBench = { userId: string; worker: TestWorker; attemptIds: Set<string> };

async function runTask(bench: TaskBench, environmentId: string, label: string, expectCache: SetupReport["cache"]): Promise<TaskRun> {
  const created = await createTask(bench.userId, { environmentId, prompt: `[[script:${MODEL_SCRIPT}]] ${label}` });
  bench.attemptIds.add(created.attemptId);
  // Finished, and out of the processor (its sandboxes removed): the next task starts on a quiet host.
  const row = await waitFor(
    `attempt ${created.attemptId} (${label}) to finish`,
    async () => {
      const found = await db().attempt.findUnique({ where: { id: created.attemptId }, select: { status: true, error: true, setup: true } });
      return found && isFinished(found.status as AttemptStatusValue) && !bench.worker.deps.active.has(created.attemptId) ? found : null;
    },
    TASK_TIMEOUT_MS,
    100,
  );
  const task = await db().task.findUniqueOrThrow({ where: { id: created.id }, select: { createdAt: true } });
  const events = await listTaskEvents(created.id, 0n);
  const firstShell = events.find((event) => event.type === "tool.begin" && event.payload.tool === "shell");
  const setupEnd = events.find((event) => event.type === "tool.end" && event.payload.callId === "setup");
  const setup = parseStoredSetupReport(row.setup);
  const run: TaskRun = {
    label,
    ok: false,
    attemptId: created.attemptId,
    taskId: created.id,
    setup,
    ...(firstShell ? { ttfcMs: Date.parse(firstShell.createdAt) - task.createdAt.getTime() } : {}),
    ...(setupEnd?.type === "tool.end" ? { setupExecMs: setupEnd.payload.durationMs } : {}),
  };
  const problems = [
    row.status !== "completed" ? `status ${row.status}${row.error ? ` (${row.error.split("\n")[0]})` : ""}` : null,
    firstShell ? null : "no shell tool.begin",
    setup?.cache === expectCache ? null : `setup cache ${setup?.cache ?? "none"}, expected ${expectCache}`,
  ].filter((problem): problem is string => problem !== null);
  if (problems.length > 0) throw new Error(`${label}: ${problems.join("; ")}`);
  return { ...run, ok: true };
}

async function hostNpmCi(tmpRoot: string, cacheDir: string): Promise<number> {
  const dir = mkdtempSync(path.join(tmpRoot, "npm-ci-"));
  try {
    cpSync(FIXTURE_DIR, dir, { recursive: true, filter: (source) => !["node_modules", "dist"].includes(path.basename(source)) });
    const started = performance.now();
    await execFileAsync("npm", ["ci", "--no-audit", "--no-fund", "--cache", cacheDir], {
      cwd: dir,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, CI: "1", npm_config_update_notifier: "false" },
    });
    return performance.now() - started;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- scenario 2: a synthetic node_modules tree ---------------------------------------------------------

// Writes TREE_PACKAGES packages of TREE_FILES_PER_PACKAGE files (1–19 KB, mean ~10 KB, seeded sizes,
// random base64 text) in nested directories, as uid 1000 like an install would; prints what it wrote.
const TREE_PROGRAM = `
const fs = require("fs"), crypto = require("crypto");
let s = 20261202 >>> 0;
const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
let files = 0, bytes = 0;
for (let p = 0; p < ${TREE_PACKAGES}; p++) {
  const pkg = "/workspace/node_modules/" + (p % 4 === 0 ? "@scope-" + (p % 16) + "/" : "") + "pkg-" + p;
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(pkg + "/package.json", JSON.stringify({ name: "pkg-" + p, version: "1.0." + p, main: "lib/index.js" }) + "\\n");
  for (let f = 1; f < ${TREE_FILES_PER_PACKAGE}; f++) {
    const dir = pkg + "/" + ["lib", "dist", "src", "esm"][f % 4] + "/m" + (f % 7);
    fs.mkdirSync(dir, { recursive: true });
    const size = 1024 + (rnd() % ${2 * TREE_MEAN_FILE_BYTES - 2048 + 1});
    fs.writeFileSync(dir + "/file-" + f + ".js", crypto.randomBytes(Math.ceil((size * 3) / 4)).toString("base64").slice(0, size));
    files++; bytes += size;
  }
  files++;
}
console.log(JSON.stringify({ files, bytes }));
`;

// A project around it: package.json and .gitignore tracked, node_modules/ untracked (what saveCache keeps).
const TREE_REPO_SCRIPT = `set -euo pipefail
cd /workspace
printf '{ "name": "synthetic", "private": true }\\n' > package.json
printf 'node_modules/\\n' > .gitignore
git init -q -b main
git add package.json .gitignore
git -c user.name=bench -c user.email=bench@localhost commit -q -m init
du -sb node_modules | cut -f1`;

const COUNT_SCRIPT = `find /workspace/node_modules -type f | wc -l; du -sb /workspace/node_modules | cut -f1`;
const COPY_SCRIPT = "cp -a /copy/from/workspace/. /workspace/";

function benchSpec(): SandboxSpec {
  return benchSandboxSpec({ instanceId: INSTANCE_ID, workerId: WORKER_ID, image: IMAGE, limits: LIMITS });
}

function benchLabels(): Record<string, string> {
  return { [LABEL_MANAGED]: "true", [LABEL_INSTANCE]: INSTANCE_ID, [LABEL_WORKER]: WORKER_ID };
}

/** Files and bytes under node_modules in a volume, read by a throwaway container (outside any timing). */
async function countTree(volume: string): Promise<{ files: number; bytes: number }> {
  const { stdout } = await execFileAsync(
    "docker",
    [
      "run",
      "--rm",
      "--network",
      "none",
      ...labelArgs(),
      "--mount",
      `type=volume,src=${volume},dst=/workspace,readonly`,
      "--entrypoint",
      "bash",
      IMAGE,
      "-c",
      COUNT_SCRIPT,
    ],
    { timeout: 300_000 },
  );
  const [files, bytes] = stdout.trim().split("\n").map(Number);
  return { files: files ?? Number.NaN, bytes: bytes ?? Number.NaN };
}

/**
 * Flushes the host's dirty pages before a timed copy (outside the timing), so no copy pays for the
 * writeback of the one before it or for the removal of its 30k files.
 */
async function settleDisk(): Promise<void> {
  await execFileAsync("sync", [], { timeout: 300_000 });
}

function labelArgs(): string[] {
  return Object.entries(benchLabels()).flatMap(([name, value]) => ["--label", `${name}=${value}`]);
}

// ---- main --------------------------------------------------------------------------------------------

/** "plain": Docker volumes, as the integration tests' worker; "capped": size-capped ext4 volumes, as a root worker in production. */
type VolumeKind = "plain" | "capped";

async function main(): Promise<number> {
  const startedAt = new Date();
  const load1Start = os.loadavg()[0] ?? 0;
  pointAtBenchServices({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, secretsKey: SECRETS_KEY });
  const docker = createDocker(DOCKER_SOCKET);
  // Setup: anything failing here ends the run with exit 1.
  await pingDocker(docker);
  const [dockerVersion, dockerInfo, imageInfo] = await Promise.all([docker.version(), docker.info(), docker.getImage(IMAGE).inspect()]);
  const otherContainersAtStart = (await docker.listContainers({ filters: { label: [`${LABEL_MANAGED}=true`] } })).length;
  await applyMigrations(DATABASE_URL);
  const counts = await attemptsQueue().getJobCounts("waiting", "active", "delayed", "prioritized");
  if (Object.values(counts).some((count) => count > 0)) {
    throw new Error(`The attempts queue in ${REDIS_URL} already has jobs (${JSON.stringify(counts)}): someone else uses this Redis db.`);
  }
  const [hostNode, hostNpm] = await Promise.all([
    execFileAsync("node", ["--version"]).then((r) => r.stdout.trim()),
    execFileAsync("npm", ["--version"]).then((r) => r.stdout.trim()),
  ]);

  const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "patchbay-bench-setup-cache-"));
  const diskDir = path.join(tmpRoot, "workspaces");
  const disk = await createWorkspaceDisk({ dir: diskDir, sizeBytes: parseSize(WORKSPACE_SIZE) });
  const workspaceDisk = "unavailable" in disk ? undefined : disk;
  // Restores as the worker on this host does them: copy-on-write layers where it can (see
  // layered-volumes.ts), copies elsewhere or with PATCHBAY_BENCH_RESTORE=copy. One layer directory for
  // both managers, so either can free a layered volume of the other.
  const layerDir = path.join(tmpRoot, "layers");
  const layersFor = async (forDisk: WorkspaceDisk | undefined) => {
    if (RESTORE === "copy") return { unavailable: "PATCHBAY_BENCH_RESTORE=copy" };
    return createLayeredVolumes({ docker, dir: layerDir, workspaceDisk: forDisk });
  };
  const plainLayers = await layersFor(undefined);
  const driver: SandboxDriver = createDockerDriver(docker, { allowedImages: [IMAGE], ...("unavailable" in plainLayers ? {} : { layers: plainLayers }) });
  const cappedLayers = workspaceDisk ? await layersFor(workspaceDisk) : null;
  const cappedDriver = workspaceDisk
    ? createDockerDriver(docker, {
        allowedImages: [IMAGE],
        workspaceDisk,
        ...(cappedLayers && !("unavailable" in cappedLayers) ? { layers: cappedLayers } : {}),
      })
    : undefined;
  // Removes plain volumes like the plain driver, and also frees the loop device and image of a capped one.
  const cleanupDriver = cappedDriver ?? driver;
  const repo = createViteAppRepo();
  const mirrors = createMirrorCache({ root: path.join(tmpRoot, "mirrors"), timeoutMs: 30_000, allowLocal: true });
  const attemptIds = new Set<string>();
  const benchSpecs: string[] = [];
  const floorVolumes = new Set<string>();
  let userId: string | null = null;
  let worker: TestWorker | undefined;
  let model: ModelServer | undefined;

  let cleaned = false;
  const cleanAll = async () => {
    if (cleaned) return;
    cleaned = true;
    await cleanup("worker", () => worker?.close());
    await cleanup("model server", () => model?.close());
    // The processor removes its attempts' sandboxes; this catches any it could not.
    for (const id of [...attemptIds, ...benchSpecs]) await cleanup(`destroy ${id}`, () => cleanupDriver.destroy(id));
    for (const name of floorVolumes) await cleanup(`volume ${name}`, () => cleanupDriver.removeVolumes([name]));
    // This run's setup caches (scenarios 1–3): labelled patchbay.setup-cache and with this run's instance.
    const caches = await docker.listVolumes({ filters: { label: [LABEL_SETUP_CACHE, `${LABEL_INSTANCE}=${INSTANCE_ID}`] } }).catch(() => ({ Volumes: [] }));
    await cleanup("setup-cache volumes", () => driver.removeVolumes((caches.Volumes ?? []).map((volume) => volume.Name)));
    // Every capped volume is gone by now: any image (and loop device) left in the run's own dir goes too.
    await cleanup("layers", async () => {
      for (const layers of [cappedLayers, plainLayers]) if (layers && !("unavailable" in layers)) await layers.sweep(new Set());
    });
    await cleanup("workspace images", () => workspaceDisk?.sweep(new Set()));
    // The user's environments, tasks, attempts, events and setup-cache rows go with it (ON DELETE CASCADE).
    if (userId) {
      const id = userId;
      await cleanup("database rows", () => db().user.deleteMany({ where: { id } }));
    }
    await cleanup("queue keys", async () => {
      await attemptsQueue().obliterate({ force: true });
      await copyCatalogQueue().obliterate({ force: true });
    });
    await cleanup("producer", () => closeProducer());
    await cleanup("database", () => disconnectDb());
    rmSync(tmpRoot, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${signal}: cleaning up`);
    void cleanAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const results: Result[] = [];
  const taskRuns: TaskRun[] = [];
  let setupError: string | null = null;
  const tree: Record<string, unknown> = {};

  /** The real processor on a BullMQ worker (one at a time: both would take jobs from the same queue). */
  const startWorker = async (serverUrl: string, sandboxDriver: SandboxDriver): Promise<TestWorker> => {
    await worker?.close();
    // startTestWorker makes a mirror dir in the temp dir even when `mirrors` is overridden: remove it (it stays empty).
    const tmpBefore = new Set(readdirSync(os.tmpdir()));
    worker = startTestWorker(serverUrl, {
      instanceId: INSTANCE_ID,
      workerId: WORKER_ID,
      hostName: HOST_NAME,
      driver: sandboxDriver,
      limits: LIMITS,
      secretsKey: SECRETS_KEY,
      mirrors,
    });
    for (const name of readdirSync(os.tmpdir())) {
      if (name.startsWith("patchbay-mirrors-") && !tmpBefore.has(name)) await cleanup(`empty ${name}`, () => rmdirSync(path.join(os.tmpdir(), name)));
    }
    return worker;
  };

  /** Scenario 1 for one kind of volume: TTFC_WARMUP + TTFC_N pairs, hit and no setup, order alternating. */
  const ttfcBlock = async (bench: TaskBench, environments: { withSetup: string; noSetup: string }, kind: VolumeKind, cacheSizeBytes: number | null) => {
    const suffix = kind === "plain" ? "" : "-capped";
    const floorName: FloorName = kind === "plain" ? "ttfcNoSetup" : "ttfcNoSetupCapped";
    console.error(`ttfc (${kind} volumes): ${TTFC_WARMUP} warm-up + ${TTFC_N} pairs (hit / no setup, order alternating)`);
    const hit = sampleCollector();
    const off = sampleCollector();
    const hitSetup = sampleCollector();
    const offSetup = sampleCollector();
    const pairRatios: number[] = [];
    for (let i = 0; i < TTFC_WARMUP + TTFC_N; i++) {
      const measured = i >= TTFC_WARMUP;
      const tag = `${kind} ${measured ? `${i - TTFC_WARMUP + 1}` : `warm-up ${i + 1}`}`;
      const one = async (cache: "hit" | "off") => {
        const label = `ttfc ${cache} ${tag}`;
        const run = await attempt(label, () => runTask(bench, cache === "hit" ? environments.withSetup : environments.noSetup, label, cache));
        if (run) taskRuns.push(run);
        return run;
      };
      let a: TaskRun | undefined;
      let b: TaskRun | undefined;
      if (i % 2 === 0) {
        a = await one("hit");
        b = await one("off");
      } else {
        b = await one("off");
        a = await one("hit");
      }
      if (!measured) continue;
      hit.add(a?.ttfcMs);
      off.add(b?.ttfcMs);
      hitSetup.add(a?.setup?.durationMs);
      offSetup.add(b?.setup?.durationMs);
      if (a?.ttfcMs !== undefined && b?.ttfcMs !== undefined && b.ttfcMs > 0) pairRatios.push(a.ttfcMs / b.ttfcMs);
    }
    const ttfcOff = stats(off.samples, off.attempts);
    const ttfcHit = stats(hit.samples, hit.attempts);
    const ttfcRatio = ratioTo(ttfcHit.p50, ttfcOff.p50);
    const volumes =
      kind === "plain"
        ? "plain Docker volumes (the integration tests' worker)"
        : `workspace and home size-capped at ${WORKSPACE_SIZE} (ext4 on a loop device, as a root worker in production)`;
    results.push({
      id: "B10",
      variant: `floor-ttfc-no-setup${suffix}`,
      unit: "ms",
      warmup: TTFC_WARMUP,
      ...ttfcOff,
      floor: floorName,
      ratio: 1,
      note: `Task.createdAt → first shell tool.begin, environment without a setup script on the same repo (cache: off); ${volumes}`,
      parts: { setupPhase: stats(offSetup.samples, offSetup.attempts) },
    });
    results.push({
      id: "B10",
      variant: `ttfc-setup-cache-hit${suffix}`,
      unit: "ms",
      warmup: TTFC_WARMUP,
      ...ttfcHit,
      floor: floorName,
      ratio: ttfcRatio,
      target: TARGET_TTFC_RATIO,
      meetsTarget: ttfcRatio !== null && ttfcRatio <= TARGET_TTFC_RATIO,
      medianPairRatio: pairRatios.length ? round2(median(pairRatios)) : null,
      cacheSizeBytes,
      note: `setup "${SETUP_SCRIPT}" restored from its cache (prepareWorkspace from the cache volumes), interleaved with the floor; ${volumes}`,
      parts: { setupPhase: stats(hitSetup.samples, hitSetup.attempts) },
    });
  };

  try {
    // ---- shared by 1 and 3: a user, two environments on the same repository, a worker --------------------
    let bench: TaskBench;
    let serverUrl: string;
    try {
      const id = (await createUser(`bench-setup-cache-${RUN_TAG}@example.com`)).id;
      userId = id;
      model = await startModelServer({ port: 0 });
      model.registerScript(MODEL_SCRIPT, {
        description: "setup-cache bench: one shell command, then done",
        steps: [{ calls: [{ name: "shell", arguments: { command: FIRST_COMMAND } }] }, { say: "done" }],
      });
      serverUrl = model.url;
      bench = { userId: id, worker: await startWorker(serverUrl, driver), attemptIds };
    } catch (error) {
      setupError = `worker: ${(error as Error).message.split("\n")[0]}`;
      throw error;
    }
    const withSetup = await createEnvironment(bench.userId, {
      name: "bench: vite app, setup",
      repoUrl: repo.url,
      defaultBranch: "main",
      setupScript: SETUP_SCRIPT,
    });
    const noSetup = await createEnvironment(bench.userId, { name: "bench: vite app, no setup", repoUrl: repo.url, defaultBranch: "main" });
    const environments = { withSetup: withSetup.id, noSetup: noSetup.id };

    // ---- 1. TTFC: setup-cache hit vs no setup (plain volumes; capped ones after scenario 3) ----------------
    console.error("ttfc: warming the cache (one miss)");
    const warm = await runTask(bench, withSetup.id, "warm miss", "miss").catch((error: unknown) => {
      setupError = `warming the setup cache: ${(error as Error).message.split("\n")[0]}`;
      throw error;
    });
    taskRuns.push(warm);
    if (SCENARIOS.has("ttfc")) await ttfcBlock(bench, environments, "plain", warm.setup?.sizeBytes ?? null);

    // ---- 3. setup on a miss vs npm ci on the host --------------------------------------------------------
    const missSizes: number[] = [];
    if (SCENARIOS.has("miss")) {
      console.error(`miss: ${MISS_WARMUP} host warm-up + ${MISS_N} rounds (reset + miss task / host npm ci, empty cache / host npm ci, warm cache)`);
      const warmCache = path.join(tmpRoot, "npm-cache-warm");
      for (let i = 0; i < MISS_WARMUP; i++) await attempt("host npm ci warm-up", () => hostNpmCi(tmpRoot, warmCache));
      const miss = sampleCollector();
      const missExec = sampleCollector();
      const missTtfc = sampleCollector();
      const hostCold = sampleCollector();
      const hostWarm = sampleCollector();
      for (let i = 0; i < MISS_N; i++) {
        const steps: (() => Promise<void>)[] = [
          async () => {
            const run = await attempt(`miss ${i + 1}`, async () => {
              await resetSetupCache(bench.userId, withSetup.id);
              return runTask(bench, withSetup.id, `miss ${i + 1}`, "miss");
            });
            if (run) taskRuns.push(run);
            miss.add(run?.setup?.durationMs);
            missExec.add(run?.setupExecMs);
            missTtfc.add(run?.ttfcMs);
            if (run?.setup?.sizeBytes) missSizes.push(run.setup.sizeBytes);
          },
          async () =>
            hostCold.add(await attempt(`host npm ci (empty cache) ${i + 1}`, () => hostNpmCi(tmpRoot, mkdtempSync(path.join(tmpRoot, "npm-cache-"))))),
          async () => hostWarm.add(await attempt(`host npm ci (warm cache) ${i + 1}`, () => hostNpmCi(tmpRoot, warmCache))),
        ];
        // Rotate the order each round, so no variant always runs first.
        for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]!();
      }
      const npmFloor = stats(hostCold.samples, hostCold.attempts);
      const missStats = stats(miss.samples, miss.attempts);
      const hostWarmStats = stats(hostWarm.samples, hostWarm.attempts);
      results.push({
        id: "B5",
        variant: "floor-host-npm-ci-empty-cache",
        unit: "ms",
        warmup: MISS_WARMUP,
        ...npmFloor,
        floor: "hostNpmCi",
        ratio: 1,
        note: `host npm ${hostNpm} (node ${hostNode}): \`npm ci --no-audit --no-fund --cache <new dir>\` in a copy of test/fixtures/vite-app; a miss starts with an empty home too`,
      });
      results.push({
        id: "B5",
        variant: "setup-miss",
        unit: "ms",
        warmup: 1,
        ...missStats,
        floor: "hostNpmCi",
        ratio: ratioTo(missStats.p50, npmFloor.p50),
        note: "attempt.setup.durationMs of a miss after resetSetupCache (plain volumes): fresh volumes, egress proxy, setup container, checkout, npm ci through the proxy, files kept out of the diff, saveCache, eviction",
        sizeBytesP50: missSizes.length ? median(missSizes) : null,
        parts: { npmCiExecInSandbox: stats(missExec.samples, missExec.attempts), ttfc: stats(missTtfc.samples, missTtfc.attempts) },
      });
      results.push({
        id: "B5",
        variant: "host-npm-ci-warm-cache",
        unit: "ms",
        warmup: MISS_WARMUP,
        ...hostWarmStats,
        floor: "hostNpmCi",
        ratio: ratioTo(hostWarmStats.p50, npmFloor.p50),
        note: "informational: the same host npm ci with a populated npm cache (the share of a miss that is download)",
      });
    }

    // ---- 1, capped: the same pairs on a worker whose sandbox volumes are size-capped --------------------------
    if (SCENARIOS.has("ttfc") && cappedDriver) {
      bench = { ...bench, worker: await startWorker(serverUrl, cappedDriver) };
      await ttfcBlock(bench, environments, "capped", missSizes.length ? median(missSizes) : null);
    } else if (SCENARIOS.has("ttfc")) {
      console.error(`ttfc (capped volumes): skipped, ${"unavailable" in disk ? disk.unavailable : ""}`);
    }

    // ---- 2. restoring ~300 MB of node_modules vs a plain cp -a ----------------------------------------------
    if (SCENARIOS.has("restore")) {
      console.error(`restore: writing the synthetic tree (${TREE_PACKAGES * TREE_FILES_PER_PACKAGE} files)`);
      const source = benchSpec();
      benchSpecs.push(source.attemptId);
      const cache: CacheVolumes = cacheVolumeNames(`bench-env-${RUN_TAG}`, "synthetic-node-modules", source.attemptId);
      try {
        await driver.prepareWorkspace(source);
        const box = await driver.ensure(source);
        const written = await driver.exec(box, ["node", "-"], { timeoutSec: 900, maxOutputBytes: 64 * 1024, stdin: TREE_PROGRAM });
        if (written.exitCode !== 0) throw new Error(`writing the tree failed (${written.exitCode}): ${written.stderr.toString().slice(-500)}`);
        const repoed = await driver.exec(box, ["bash", "-c", TREE_REPO_SCRIPT], { timeoutSec: 300, maxOutputBytes: 64 * 1024 });
        if (repoed.exitCode !== 0) throw new Error(`preparing the project failed (${repoed.exitCode}): ${repoed.stderr.toString().slice(-500)}`);
        await driver.release(box);
        Object.assign(tree, JSON.parse(written.stdout.toString()) as { files: number; bytes: number }, { diskBytes: Number(repoed.stdout.toString().trim()) });
        const cacheLabels = { [LABEL_SETUP_CACHE]: "true", [LABEL_INSTANCE]: INSTANCE_ID, [LABEL_ENVIRONMENT]: `bench-env-${RUN_TAG}` };
        const saveStarted = performance.now();
        const saved = await driver.saveCache(source, cache, cacheLabels);
        tree.saveMs = round2(performance.now() - saveStarted);
        tree.savedBytes = saved;
        // The source is no longer needed: only the cache volumes are read from here on.
        await driver.destroy(source.attemptId);
      } catch (error) {
        setupError = `synthetic tree: ${(error as Error).message.split("\n")[0]}`;
        throw error;
      }

      // One arm per kind of volume: ours restores with that kind's driver, its floor copies into a new volume of that kind.
      const kinds: { kind: VolumeKind; driver: SandboxDriver }[] = [
        { kind: "plain", driver },
        ...(cappedDriver ? [{ kind: "capped" as const, driver: cappedDriver }] : []),
      ];
      console.error(
        `restore: ${COPY_WARMUP} warm-up + ${COPY_N} rounds (${kinds.map((k) => k.kind).join(", ")} volumes: prepareWorkspace from the cache / docker run cp -a; order rotating)`,
      );
      const samples = new Map<string, ReturnType<typeof sampleCollector>>();
      const pairs = new Map<VolumeKind, number[]>(kinds.map((k) => [k.kind, []]));
      const sampleOf = (name: string) => {
        const found = samples.get(name) ?? sampleCollector();
        samples.set(name, found);
        return found;
      };
      /** A new volume of the kind, outside any timing: a capped one gets its ext4 image and loop device now. */
      // The host `sync` right after each copy (outside its timing): the writeback the copy left behind.
      const syncAfter = new Map<string, number>();
      const timedSync = async () => {
        const started = performance.now();
        await settleDisk();
        return performance.now() - started;
      };
      const floorTarget = async (kind: VolumeKind): Promise<string> => {
        const name = `patchbay-bench-copy-${randomBytes(6).toString("hex")}`;
        floorVolumes.add(name);
        if (kind === "plain" || !workspaceDisk) {
          await docker.createVolume({ Name: name, Labels: benchLabels() });
          return name;
        }
        const image = await workspaceDisk.create(name);
        try {
          await docker.createVolume({ Name: name, Driver: "local", DriverOpts: image.driverOpts, Labels: { ...benchLabels(), ...image.labels } });
        } catch (error) {
          await workspaceDisk.release(image.labels);
          throw error;
        }
        return name;
      };
      for (let i = 0; i < COPY_WARMUP + COPY_N; i++) {
        const measured = i >= COPY_WARMUP;
        const verify = i === COPY_WARMUP;
        const tag = measured ? `${i - COPY_WARMUP + 1}` : `warm-up ${i + 1}`;
        const ours = (arm: (typeof kinds)[number]) => async () =>
          attempt(`restore ${arm.kind} ${tag}`, async () => {
            const spec = benchSpec();
            benchSpecs.push(spec.attemptId);
            try {
              await settleDisk();
              const started = performance.now();
              await arm.driver.prepareWorkspace(spec, cache);
              const elapsed = performance.now() - started;
              syncAfter.set(`ours-${arm.kind}`, await timedSync());
              if (verify) tree[`restored-${arm.kind}`] = await countTree(workspaceVolumeName(spec.attemptId));
              return elapsed;
            } finally {
              await cleanupDriver.destroy(spec.attemptId);
            }
          });
        const floor = (arm: (typeof kinds)[number]) => async () =>
          attempt(`plain copy ${arm.kind} ${tag}`, async () => {
            const target = await floorTarget(arm.kind);
            try {
              const args = [
                "run",
                "--rm",
                "--network",
                "none",
                ...labelArgs(),
                "--mount",
                `type=volume,src=${cache.workspace},dst=/copy/from/workspace,readonly`,
                "--mount",
                `type=volume,src=${target},dst=/workspace`,
                "--entrypoint",
                "bash",
                IMAGE,
                "-c",
                COPY_SCRIPT,
              ];
              await settleDisk();
              const started = performance.now();
              await execFileAsync("docker", args, { timeout: 900_000 });
              const elapsed = performance.now() - started;
              syncAfter.set(`floor-${arm.kind}`, await timedSync());
              if (verify) tree[`plainCopied-${arm.kind}`] = await countTree(target);
              return elapsed;
            } finally {
              await cleanupDriver.removeVolumes([target]);
              floorVolumes.delete(target);
            }
          });
        const steps = kinds.flatMap((arm) => [
          { name: `floor-${arm.kind}`, run: floor(arm) },
          { name: `ours-${arm.kind}`, run: ours(arm) },
        ]);
        const got = new Map<string, number | undefined>();
        syncAfter.clear();
        // Rotate the order each round, so no arm always runs first.
        for (let k = 0; k < steps.length; k++) {
          const step = steps[(i + k) % steps.length]!;
          got.set(step.name, await step.run());
        }
        if (!measured) continue;
        for (const step of steps) {
          sampleOf(step.name).add(got.get(step.name));
          sampleOf(`${step.name}-sync`).add(got.get(step.name) === undefined ? undefined : syncAfter.get(step.name));
        }
        for (const arm of kinds) {
          const [ms, floorMs] = [got.get(`ours-${arm.kind}`), got.get(`floor-${arm.kind}`)];
          if (ms !== undefined && floorMs !== undefined && floorMs > 0) pairs.get(arm.kind)!.push(ms / floorMs);
        }
      }
      const floorStats = new Map<VolumeKind, Stats>();
      for (const arm of kinds) {
        const suffix = arm.kind === "plain" ? "" : `-${arm.kind}`;
        const floorName: FloorName = arm.kind === "plain" ? "plainCopy" : "plainCopyCapped";
        const floorArm = stats(sampleOf(`floor-${arm.kind}`).samples, sampleOf(`floor-${arm.kind}`).attempts);
        const oursArm = stats(sampleOf(`ours-${arm.kind}`).samples, sampleOf(`ours-${arm.kind}`).attempts);
        floorStats.set(arm.kind, floorArm);
        const armPairs = pairs.get(arm.kind)!;
        const volume =
          arm.kind === "plain" ? "a new plain Docker volume" : `a new volume size-capped at ${WORKSPACE_SIZE} (ext4 on a loop device, made before the timing)`;
        results.push({
          id: "B5",
          variant: `floor-plain-copy-300mb${suffix}`,
          unit: "ms",
          warmup: COPY_WARMUP,
          ...floorArm,
          floor: floorName,
          ratio: 1,
          note: `docker run --rm (CLI, no network, no limits) of ${IMAGE}: ${COPY_SCRIPT}, cache volume → ${volume}; each copy (ours too) starts after a host sync`,
          parts: { syncAfter: stats(sampleOf(`floor-${arm.kind}-sync`).samples, sampleOf(`floor-${arm.kind}-sync`).attempts) },
        });
        results.push({
          id: "B5",
          variant: `cache-restore-300mb${suffix}`,
          unit: "ms",
          warmup: COPY_WARMUP,
          ...oursArm,
          floor: floorName,
          ratio: ratioTo(oursArm.p50, floorArm.p50),
          medianPairRatio: armPairs.length ? round2(median(armPairs)) : null,
          ...(arm.kind === "plain" ? {} : { ratioToPlainFloor: ratioTo(oursArm.p50, floorStats.get("plain")?.p50 ?? Number.NaN) }),
          note:
            arm.kind === "plain"
              ? "driver.prepareWorkspace(spec, cache): new plain workspace and home volumes, a hardened copy sandbox (limits as the worker's defaults), cp -a, removal"
              : `the same with workspace and home size-capped at ${WORKSPACE_SIZE}: mkfs.ext4 + losetup for each inside the timing, cp -a into ext4 on a loop device`,
          parts: { syncAfter: stats(sampleOf(`ours-${arm.kind}-sync`).samples, sampleOf(`ours-${arm.kind}-sync`).attempts) },
        });
      }
      const plainStats = floorStats.get("plain") ?? stats([], 0);
      const saveMs = typeof tree.saveMs === "number" ? tree.saveMs : Number.NaN;
      results.push({
        id: "B5",
        variant: "cache-save-300mb",
        unit: "ms",
        warmup: 0,
        ...stats(Number.isFinite(saveMs) ? [saveMs] : [], 1),
        floor: "plainCopy",
        ratio: ratioTo(saveMs, plainStats.p50),
        note: "informational, n = 1, right after the tree was written (no sync first): driver.saveCache (git ls-files --others | tar | tar, cp -a of the home, du -sb)",
      });
    }
  } catch (error) {
    setupError ??= (error as Error).message.split("\n")[0] ?? String(error);
    console.error(error);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanAll();
  }

  // Anything of this run still on the Docker host is a leak; report it.
  const loops = await execFileAsync("losetup", ["-a"]).then(
    (r) => r.stdout.split("\n").filter((line) => line.includes(diskDir)).length,
    () => null,
  );
  const leaked = {
    ...(await countLeaks(docker, { label: [`${LABEL_INSTANCE}=${INSTANCE_ID}`] })),
    setupCacheVolumes: ((await docker.listVolumes({ filters: { label: [LABEL_SETUP_CACHE, `${LABEL_INSTANCE}=${INSTANCE_ID}`] } })).Volumes ?? []).length,
    loopDevices: loops,
  };

  const load1End = os.loadavg()[0] ?? 0;
  const floors: Partial<Record<FloorName, number>> = {};
  for (const r of results) if (r.ratio === 1 && r.floor) floors[r.floor] = r.p50;
  const dbUrl = new URL(DATABASE_URL);

  const report = {
    run: {
      bench: "setup-cache",
      gitSha: gitSha(),
      gitDirty: gitDirty(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      noisy: load1Start > NOISY_LOAD1 || load1End > NOISY_LOAD1 || otherContainersAtStart > 0,
      env: {
        ...hostEnv(dockerVersion, dockerInfo),
        image: IMAGE,
        imageId: imageInfo.Id,
        hostNode,
        hostNpm,
        load1Start: round2(load1Start),
        load1End: round2(load1End),
        otherSandboxesAtStart: otherContainersAtStart,
      },
      config: {
        database: `${dbUrl.host}${dbUrl.pathname}`,
        redis: REDIS_URL,
        instanceId: INSTANCE_ID,
        hostName: HOST_NAME,
        sandboxLimits: { memoryMb: LIMITS.memoryBytes / 1024 / 1024, cpus: LIMITS.nanoCpus / 1e9 },
        workspaceSize: workspaceDisk ? WORKSPACE_SIZE : `none (${"unavailable" in disk ? disk.unavailable : ""})`,
        setupScript: SETUP_SCRIPT,
        fixture: "test/fixtures/vite-app",
        ttfc: { warmup: TTFC_WARMUP, n: TTFC_N },
        restore: { warmup: COPY_WARMUP, n: COPY_N, packages: TREE_PACKAGES, filesPerPackage: TREE_FILES_PER_PACKAGE, meanFileBytes: TREE_MEAN_FILE_BYTES },
        miss: { warmup: MISS_WARMUP, n: MISS_N },
        scenarios: [...SCENARIOS],
        restoredBy: {
          plain: "unavailable" in plainLayers ? `copy (${plainLayers.unavailable})` : "layered",
          capped: cappedLayers === null ? null : "unavailable" in cappedLayers ? `copy (${cappedLayers.unavailable})` : "layered",
        },
      },
      tree,
      tasks: taskRuns.map((r) => ({
        label: r.label,
        ok: r.ok,
        ttfcMs: r.ttfcMs ?? null,
        cache: r.setup?.cache ?? null,
        setupMs: r.setup?.durationMs ?? null,
        setupExecMs: r.setupExecMs ?? null,
      })),
      failures,
      cleanupErrors,
      leaked,
      ...(setupError ? { setupError } : {}),
    },
    floors,
    results,
  };

  const outFile = writeBenchReport("setup-cache", startedAt, report);
  printTable(results, report.run.noisy, load1Start, load1End);
  console.error(`wrote ${outFile}`);
  return setupError ? 1 : 0;
}

function printTable(results: Result[], noisy: boolean, load1Start: number, load1End: number): void {
  const rows: string[][] = [["scenario", "n", "ok", "min", "p50", "p90", "max", "floor", "ratio"]];
  const row = (name: string, s: Stats, floor: string, ratio: string) =>
    rows.push([name, String(s.n), String(s.ok), String(s.min), String(s.p50), String(s.p90), String(s.max), floor, ratio]);
  for (const r of results) {
    const target = typeof r.meetsTarget === "boolean" ? ` (≤ ${String(r.target)}: ${r.meetsTarget ? "met" : "NOT met"})` : "";
    const pairs = typeof r.medianPairRatio === "number" ? ` [pairs ${r.medianPairRatio}]` : "";
    row(r.variant, r, r.floor ?? "-", `${r.ratio ?? "-"}${target}${pairs}`);
    for (const [name, s] of Object.entries((r.parts ?? {}) as Record<string, Stats>)) row(`  ${name}`, s, "-", "-");
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((cells) => (cells[c] ?? "").length)));
  const lines = rows.map((cells) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
  console.error(`\n${lines.join("\n")}\nms; load1 ${round2(load1Start)} → ${round2(load1End)}${noisy ? " (noisy)" : ""}\n`);
}

main()
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  )
  // A failure before the run's own cleanup was set up would otherwise leave connections holding the process open.
  .finally(async () => {
    await closeProducer().catch(() => undefined);
    await disconnectDb().catch(() => undefined);
  });
