// B3/B9 (small): the preview pipeline on the fixture web app (test/fixtures/preview-app), against floors
// measured in the same run (docs/benchmarks.md §1): cold sandbox, then app start (ensure, workspace, install,
// start → ready), then screenshots per route, ours interleaved with a plain playwright-core floor.
// Run by hand: npx tsx scripts/bench/preview.ts. A benchmark, not a test: it never asserts timings and
// exits 0 unless its own setup fails. Every sandbox it creates is destroyed in a finally.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { countLeaks, gitDirty, gitSha, hostEnv, stats, type Stats, writeBenchReport, round2, sampleCollector } from "./bench-stats";
import { previewConfigSchema, type PreviewConfig } from "@/lib/environments/preview-config";
import { createPreviewAppRepo, PREVIEW_APP_CONFIG } from "@/test/support/preview-app-repo";
import { createMirrorCache } from "@/worker/repos/mirror-cache";
import { loadWorkspace } from "@/worker/repos/load-workspace";
import { clampLimits } from "@/worker/sandbox/container-template";
import { createDocker, createDockerDriver, pingDocker } from "@/worker/sandbox/docker-driver";
import type { SandboxDriver, SandboxHandle, SandboxSpec } from "@/worker/sandbox/driver";
import { LABEL_WORKER } from "@/worker/sandbox/labels";
import { createBrowserPool, DEFAULT_CHROMIUM_PATH } from "@/worker/verify/browser-pool";
import { captureRoute, type Viewport } from "@/worker/verify/capture-route";
import { startPreview, type RunningPreview } from "@/worker/verify/preview-server";

// Sizes kept small: a 2-core box shared with other work.
const SANDBOX_WARMUP = 3;
const SANDBOX_N = 8;
// Each preview-start iteration runs the app's install and start (seconds), so one warm-up only.
const PREVIEW_WARMUP = 1;
const PREVIEW_N = 8;
const SHOT_WARMUP = 3;
const SHOT_N = 20;

const NOISY_LOAD1 = 0.5;
const TARGET_CAPTURE_RATIO = 2;
const CAPTURE_TIMEOUT_MS = 30_000;
const IMAGE = process.env.PATCHBAY_BENCH_IMAGE ?? "patchbay-sandbox:latest";
const DOCKER_SOCKET = process.env.PATCHBAY_DOCKER_SOCKET ?? "/var/run/docker.sock";
const BRANCH = "main";
const VIEWPORT: Viewport = { name: "desktop", width: 1280, height: 800 };
const ROUTES = [...PREVIEW_APP_CONFIG.routes];
const IS_ROOT = process.getuid?.() === 0;
// The floor browser: plain playwright-core with the brief's switches (the pool also adds --disable-dev-shm-usage).
const FLOOR_ARGS = [
  ...(IS_ROOT ? ["--no-sandbox"] : []),
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

// Every sandbox of this run carries this worker label, so the final leak check can find stragglers.
const RUN_TAG = randomBytes(4).toString("hex");
const WORKER_ID = `bench-preview-${RUN_TAG}`;

type FloorName = "sandboxCold" | "shotWarm";
type Result = {
  id: "B3" | "B9";
  variant: string;
  unit: "ms";
  warmup: number;
  floor: FloorName | null;
  ratio: number | null;
} & Stats &
  Record<string, unknown>;

const failures: string[] = [];
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

// ---- sandboxes ---------------------------------------------------------------------------------------

const live = new Set<string>();
const cleanupErrors: string[] = [];

function benchSpec(role: SandboxSpec["role"], network: string | null): SandboxSpec {
  const hex = randomBytes(8).toString("hex");
  return {
    role,
    network,
    instanceId: `bench${hex}`,
    attemptId: `bench${hex}`,
    taskId: `bench${hex}`,
    workerId: WORKER_ID,
    image: IMAGE,
    limits: clampLimits(1024, 1),
    expiresAt: new Date(Date.now() + 15 * 60 * 1000),
  };
}

async function destroy(driver: SandboxDriver, attemptId: string): Promise<void> {
  try {
    await driver.destroy(attemptId);
    live.delete(attemptId);
  } catch (error) {
    cleanupErrors.push(`${attemptId}: ${(error as Error).message}`);
  }
}

/** Ensures the network and a "preview-base" sandbox on it, loads the fixture, starts the app. */
async function startFixturePreview(
  driver: SandboxDriver,
  spec: SandboxSpec,
  input: { mirrorPath: string; baseCommit: string; config: PreviewConfig },
): Promise<{ preview: RunningPreview; handle: SandboxHandle; parts: Record<string, number> }> {
  // Timestamps the end of the install exec that startPreview runs first; the driver is otherwise untouched.
  let installEnded: number | undefined;
  const timed: SandboxDriver = {
    ...driver,
    async exec(handle, argv, options) {
      const result = await driver.exec(handle, argv, options);
      if (argv[0] === "bash" && argv[1] === "-lc" && argv[2] === input.config.installCommand) installEnded = performance.now();
      return result;
    },
  };
  const t0 = performance.now();
  const network = await driver.ensureNetwork(spec);
  const t1 = performance.now();
  const handle = await driver.ensure({ ...spec, role: "preview-base", network });
  const t2 = performance.now();
  await loadWorkspace(driver, handle, { mirrorPath: input.mirrorPath, baseCommit: input.baseCommit, branch: BRANCH, timeoutSec: 60 });
  const t3 = performance.now();
  const preview = await startPreview(timed, handle, { config: input.config, network, signal: AbortSignal.timeout(180_000) });
  const t4 = performance.now();
  const afterInstall = installEnded ?? t3;
  return {
    preview,
    handle,
    parts: { total: t4 - t0, network: t1 - t0, ensure: t2 - t1, workspace: t3 - t2, install: afterInstall - t3, startToReady: t4 - afterInstall },
  };
}

// ---- fingerprint -------------------------------------------------------------------------------------

// ---- main --------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const startedAt = new Date();
  const load1Start = os.loadavg()[0] ?? 0;
  const docker = createDocker(DOCKER_SOCKET);
  const driver = createDockerDriver(docker, { allowedImages: [IMAGE] });

  // Setup: anything failing here ends the run with exit 1.
  await pingDocker(docker);
  const [dockerVersion, dockerInfo, imageInfo] = await Promise.all([docker.version(), docker.info(), docker.getImage(IMAGE).inspect()]);
  const repo = createPreviewAppRepo();
  const mirrorRoot = mkdtempSync(path.join(os.tmpdir(), "patchbay-bench-mirrors-"));
  const mirrors = createMirrorCache({ root: mirrorRoot, timeoutMs: 30_000, allowLocal: true });
  const mirrorPath = await mirrors.sync(repo.url);
  const baseCommit = await mirrors.resolveBranch(mirrorPath, BRANCH);
  if (baseCommit !== repo.baseCommit) throw new Error(`mirror has ${baseCommit} on ${BRANCH}, the fixture ${repo.baseCommit}`);
  const config = previewConfigSchema.parse({
    installCommand: PREVIEW_APP_CONFIG.installCommand,
    startCommand: PREVIEW_APP_CONFIG.startCommand,
    port: PREVIEW_APP_CONFIG.port,
    readinessPath: PREVIEW_APP_CONFIG.readinessPath,
    routes: { mode: "fixed", paths: ROUTES },
    viewports: [VIEWPORT],
    installTimeoutSec: 120,
    startTimeoutSec: 60,
  });

  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${signal}: destroying ${live.size} sandbox(es)`);
    void Promise.allSettled([...live].map((id) => driver.destroy(id))).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const results: Result[] = [];
  let setupError: string | null = null;
  let chromiumVersion = "unknown";

  try {
    // 1. Floor sandboxCold: ensure (agent, no network) + the first exec of `true`.
    console.error(`sandboxCold: ${SANDBOX_WARMUP} warm-up + ${SANDBOX_N}`);
    const cold = sampleCollector();
    for (let i = 0; i < SANDBOX_WARMUP + SANDBOX_N; i++) {
      const spec = benchSpec("agent", null);
      live.add(spec.attemptId);
      const sample = await attempt("sandboxCold", async () => {
        try {
          const started = performance.now();
          const handle = await driver.ensure(spec);
          const result = await driver.exec(handle, ["true"], { timeoutSec: 30, maxOutputBytes: 4096 });
          const elapsed = performance.now() - started;
          if (result.exitCode !== 0) throw new Error(`true exited ${result.exitCode}`);
          return elapsed;
        } finally {
          await destroy(driver, spec.attemptId);
        }
      });
      if (i >= SANDBOX_WARMUP) cold.add(sample);
    }
    const sandboxCold = stats(cold.samples, cold.attempts);
    results.push({ id: "B3", variant: "floor-sandbox-cold", unit: "ms", warmup: SANDBOX_WARMUP, ...sandboxCold, floor: "sandboxCold", ratio: 1 });

    // 2. Ours preview-start: network + preview-base sandbox + workspace from the mirror + install + start → ready.
    console.error(`preview-start: ${PREVIEW_WARMUP} warm-up + ${PREVIEW_N}`);
    const partNames = ["network", "ensure", "workspace", "install", "startToReady"] as const;
    const total = sampleCollector();
    const parts = Object.fromEntries(partNames.map((name) => [name, sampleCollector()])) as Record<
      (typeof partNames)[number],
      ReturnType<typeof sampleCollector>
    >;
    for (let i = 0; i < PREVIEW_WARMUP + PREVIEW_N; i++) {
      const spec = benchSpec("preview-base", null);
      live.add(spec.attemptId);
      const run = await attempt("preview-start", async () => {
        try {
          return (await startFixturePreview(driver, spec, { mirrorPath, baseCommit, config })).parts;
        } finally {
          await destroy(driver, spec.attemptId);
        }
      });
      if (i < PREVIEW_WARMUP) continue;
      total.add(run?.total);
      for (const name of partNames) parts[name].add(run?.[name]);
    }
    const previewStart = stats(total.samples, total.attempts);
    results.push({
      id: "B9",
      variant: "preview-start",
      unit: "ms",
      warmup: PREVIEW_WARMUP,
      ...previewStart,
      floor: "sandboxCold",
      ratio: round2(previewStart.p50 / sandboxCold.p50),
      note: "informational, no target: includes the app's own install (node scripts/check.js) and start",
      parts: Object.fromEntries(partNames.map((name) => [name, stats(parts[name].samples, parts[name].attempts)])),
    });

    // 3 + 4. One preview running; the plain floor shot and ours interleaved per iteration, order alternating.
    console.error(`shots: ${SHOT_WARMUP} warm-up + ${SHOT_N}, routes ${ROUTES.join(" ")}`);
    const shotSpec = benchSpec("preview-base", null);
    live.add(shotSpec.attemptId);
    let floorBrowser: Browser | undefined;
    const pool = createBrowserPool();
    try {
      let preview: RunningPreview;
      try {
        preview = (await startFixturePreview(driver, shotSpec, { mirrorPath, baseCommit, config })).preview;
        floorBrowser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM_PATH, headless: true, chromiumSandbox: !IS_ROOT, args: FLOOR_ARGS });
        chromiumVersion = floorBrowser.version();
      } catch (error) {
        setupError = `screenshot setup: ${(error as Error).message.split("\n")[0]}`;
        throw error;
      }
      const browser = floorBrowser;
      const floor = sampleCollector();
      const floorClose = sampleCollector();
      const ours = sampleCollector();
      const oursToPng = sampleCollector();
      const floorPng: number[] = [];
      const oursPng: number[] = [];

      const floorShot = async (route: string) => {
        const started = performance.now();
        const context = await browser.newContext({ viewport: { width: VIEWPORT.width, height: VIEWPORT.height } });
        try {
          const page = await context.newPage();
          const response = await page.goto(preview.baseUrl + route, { waitUntil: "load", timeout: CAPTURE_TIMEOUT_MS });
          if (!response || response.status() >= 400) throw new Error(`${route}: HTTP ${response?.status() ?? "no response"}`);
          const png = await page.screenshot({ type: "png" });
          const elapsed = performance.now() - started;
          floorPng.push(png.length);
          return { elapsed, closeStarted: performance.now() };
        } finally {
          await context.close();
        }
      };
      const oursShot = async (route: string) => {
        const started = performance.now();
        let toPng = 0;
        await pool.withContext(
          async (context) => {
            const result = await captureRoute(context, { baseUrl: preview.baseUrl, route, viewport: VIEWPORT, timeoutMs: CAPTURE_TIMEOUT_MS });
            if (!result.ok) throw new Error(`${route}: ${result.reason}: ${result.message}`);
            toPng = performance.now() - started;
            oursPng.push(result.png.length);
          },
          { baseOrigin: preview.origin },
        );
        return { elapsed: performance.now() - started, toPng };
      };

      for (let i = 0; i < SHOT_WARMUP + SHOT_N; i++) {
        const measured = i >= SHOT_WARMUP;
        const route = ROUTES[i % ROUTES.length] ?? "/";
        const runFloor = async () => {
          const r = await attempt(`shotWarm ${route}`, async () => {
            const shot = await floorShot(route);
            return { ...shot, close: performance.now() - shot.closeStarted };
          });
          if (measured) {
            floor.add(r?.elapsed);
            floorClose.add(r?.close);
          }
        };
        const runOurs = async () => {
          const r = await attempt(`capture-per-route ${route}`, () => oursShot(route));
          if (measured) {
            ours.add(r?.elapsed);
            oursToPng.add(r?.toPng);
          }
        };
        if (i % 2 === 0) {
          await runFloor();
          await runOurs();
        } else {
          await runOurs();
          await runFloor();
        }
      }

      const shotWarm = stats(floor.samples, floor.attempts);
      const capture = stats(ours.samples, ours.attempts);
      const captureRatio = round2(capture.p50 / shotWarm.p50);
      results.push({
        id: "B9",
        variant: "floor-shot-warm",
        unit: "ms",
        warmup: SHOT_WARMUP,
        ...shotWarm,
        floor: "shotWarm",
        ratio: 1,
        note: "new context + goto load + viewport shot; context close not included (reported apart)",
        contextClose: stats(floorClose.samples, floorClose.attempts),
        pngBytesP50: stats(floorPng, floorPng.length).p50,
      });
      results.push({
        id: "B9",
        variant: "capture-per-route",
        unit: "ms",
        warmup: SHOT_WARMUP,
        ...capture,
        floor: "shotWarm",
        ratio: captureRatio,
        target: TARGET_CAPTURE_RATIO,
        meetsTarget: captureRatio <= TARGET_CAPTURE_RATIO,
        note: "whole withContext call: egress proxy, locked-down context, captureRoute (load, quiet window, settle, shot), teardown",
        toPng: stats(oursToPng.samples, oursToPng.attempts),
        pngBytesP50: stats(oursPng, oursPng.length).p50,
      });
    } finally {
      await pool.close().catch(() => undefined);
      await floorBrowser?.close().catch(() => undefined);
      await destroy(driver, shotSpec.attemptId);
    }
  } catch (error) {
    setupError ??= (error as Error).message.split("\n")[0] ?? String(error);
    console.error(error);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    for (const id of [...live]) await destroy(driver, id);
    rmSync(mirrorRoot, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  }

  // Anything of this run still on the Docker host is a leak; report it (and it is not cleaned up silently).
  const filter = { label: [`${LABEL_WORKER}=${WORKER_ID}`] };
  const leaked = await countLeaks(docker, filter);

  const load1End = os.loadavg()[0] ?? 0;
  const floors: Partial<Record<FloorName, number>> = {};
  for (const r of results) if (r.ratio === 1 && r.floor) floors[r.floor] = r.p50;

  const report = {
    run: {
      bench: "preview",
      gitSha: gitSha(),
      gitDirty: gitDirty(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      noisy: load1Start > NOISY_LOAD1 || load1End > NOISY_LOAD1,
      env: {
        ...hostEnv(dockerVersion, dockerInfo),
        chromium: chromiumVersion,
        chromiumSandbox: !IS_ROOT,
        image: IMAGE,
        imageId: imageInfo.Id,
        load1Start: round2(load1Start),
        load1End: round2(load1End),
      },
      fixture: { app: "test/fixtures/preview-app", commit: baseCommit, routes: ROUTES, viewport: `${VIEWPORT.width}x${VIEWPORT.height}` },
      failures,
      cleanupErrors,
      leaked,
      ...(setupError ? { setupError } : {}),
    },
    floors,
    results,
  };

  const outFile = writeBenchReport("preview", startedAt, report);
  printTable(report.results, report.run.noisy, load1Start, load1End);
  console.error(`wrote ${outFile}`);
  return setupError ? 1 : 0;
}

function printTable(results: Result[], noisy: boolean, load1Start: number, load1End: number): void {
  const rows: string[][] = [["scenario", "n", "ok", "min", "p50", "p90", "max", "floor", "ratio"]];
  const row = (name: string, s: Stats, floor: string, ratio: string) =>
    rows.push([name, String(s.n), String(s.ok), String(s.min), String(s.p50), String(s.p90), String(s.max), floor, ratio]);
  for (const r of results) {
    const target = typeof r.meetsTarget === "boolean" ? ` (≤ ${String(r.target)}: ${r.meetsTarget ? "met" : "NOT met"})` : "";
    row(r.variant, r, r.floor ?? "-", `${r.ratio ?? "-"}${target}`);
    for (const [name, s] of Object.entries((r.parts ?? {}) as Record<string, Stats>)) row(`  ${name}`, s, "-", "-");
    if (r.toPng) row("  to png (before teardown)", r.toPng as Stats, "-", "-");
    if (r.contextClose) row("  context close", r.contextClose as Stats, "-", "-");
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((cells) => (cells[c] ?? "").length)));
  const lines = rows.map((cells) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
  console.error(`\n${lines.join("\n")}\nms; load1 ${round2(load1Start)} → ${round2(load1End)}${noisy ? " (noisy)" : ""}\n`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
