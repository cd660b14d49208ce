// B9 (small): screenshot cost against its floors, measured in the same run (docs/benchmarks.md §1).
// Run by hand: npx tsx scripts/bench/screenshots.ts. A benchmark, not a test: it never asserts timings.
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, createBrowserPool, DEFAULT_CHROMIUM_PATH } from "@/worker/verify/browser-pool";
import { gitSha, stats, type Stats, writeBenchReport } from "./bench-stats";
import { captureRoute, type Viewport } from "@/worker/verify/capture-route";

const WARMUP = 3;
const N = 20;
// Each cold sample launches a whole browser; fewer of them keeps a 2-core box usable.
const COLD_WARMUP = 1;
const COLD_N = 10;
const NOISY_LOAD1 = 0.5;
const TARGET_RATIO = 2;
const TIMEOUT_MS = 30_000;
const VIEWPORT: Viewport = { name: "desktop", width: 1280, height: 800 };
const ROUTES = ["/", "/team", "/pricing"];
// The same switches the pool uses, so the floor differs from ours only by Patchbay's own work.
const FLOOR_ARGS = [...CHROMIUM_ARGS, ...(process.getuid?.() === 0 ? ["--no-sandbox"] : [])];

type Result = { id: "B9"; variant: string; unit: "ms"; warmup: number; floor: "shotWarm" | "shotCold"; ratio: number } & Stats;

function cardsPage(title: string): string {
  const cards = Array.from(
    { length: 40 },
    (_, i) => `<article class="card"><div class="badge" style="background:hsl(${(i * 37) % 360} 60% 55%)"></div>
      <h2>${title} card ${i + 1}</h2><p>Some body text for card ${i + 1}, long enough to wrap onto a second line in a narrow column.</p>
      <button>Open</button></article>`,
  ).join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>
    body { font-family: sans-serif; margin: 0; padding: 24px; background: #f6f7f9; }
    main { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 16px; }
    .card { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgb(0 0 0 / 0.15); padding: 16px; }
    .badge { width: 32px; height: 32px; border-radius: 50%; }
    h2 { font-size: 16px; margin: 8px 0; } p { font-size: 13px; color: #444; }
  </style></head><body><h1>${title}</h1><main>${cards}</main></body></html>`;
}

async function startServer(): Promise<{ server: http.Server; origin: string }> {
  const pages = new Map(ROUTES.map((route) => [route, cardsPage(route === "/" ? "Home" : route.slice(1))]));
  const server = http.createServer((req, res) => {
    const body = pages.get(req.url ?? "");
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Runs one iteration; a failure is logged and counted, never thrown, so one bad run cannot end the bench. */
async function attempt(fn: () => Promise<number[]>): Promise<number[] | undefined> {
  try {
    return await fn();
  } catch (error) {
    console.error(`iteration failed: ${(error as Error).message.split("\n")[0]}`);
    return undefined;
  }
}

function collector() {
  const samples: number[] = [];
  let attempts = 0;
  return {
    samples,
    get attempts() {
      return attempts;
    },
    add(run: number[] | undefined, expected: number) {
      attempts += expected;
      if (run) samples.push(...run);
    },
  };
}

async function floorShot(browser: Browser, url: string): Promise<number[]> {
  const started = performance.now();
  const context = await browser.newContext({ viewport: { width: VIEWPORT.width, height: VIEWPORT.height } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  await page.screenshot({ type: "png" });
  const elapsed = performance.now() - started;
  await context.close();
  return [elapsed];
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const load1Start = os.loadavg()[0] ?? 0;
  const { server, origin } = await startServer();
  const floorUrl = `${origin}/`;
  const launch = () => chromium.launch({ executablePath: DEFAULT_CHROMIUM_PATH, headless: true, args: FLOOR_ARGS });

  // Cold floor: launch → first shot, plain playwright-core.
  const cold = collector();
  for (let i = 0; i < COLD_WARMUP + COLD_N; i++) {
    const run = await attempt(async () => {
      const started = performance.now();
      const browser = await launch();
      try {
        const context = await browser.newContext({ viewport: { width: VIEWPORT.width, height: VIEWPORT.height } });
        const page = await context.newPage();
        await page.goto(floorUrl, { waitUntil: "load" });
        await page.screenshot({ type: "png" });
        return [performance.now() - started];
      } finally {
        await browser.close();
      }
    });
    if (i >= COLD_WARMUP) cold.add(run, 1);
  }

  // Warm: the floor and ours interleaved in one loop, so drift in machine load hits both alike.
  const floorBrowser = await launch();
  const pool = createBrowserPool();
  const chromiumVersion = floorBrowser.version();
  const floor = collector();
  const perContext = collector();
  const shared = collector();
  const pngBytes: number[] = [];
  try {
    const capture = async (context: Parameters<typeof captureRoute>[0], route: string) => {
      const result = await captureRoute(context, { baseUrl: origin, route, viewport: VIEWPORT, timeoutMs: TIMEOUT_MS });
      if (!result.ok) throw new Error(`${route}: ${result.reason}: ${result.message}`);
      pngBytes.push(result.png.length);
      return result;
    };

    for (let i = 0; i < WARMUP + N; i++) {
      const measured = i >= WARMUP;
      const route = ROUTES[i % ROUTES.length] ?? "/";
      const floorRun = await attempt(() => floorShot(floorBrowser, floorUrl));
      // A one-route attempt: context setup and teardown included, as the floor includes a new context.
      const perContextRun = await attempt(async () => {
        const started = performance.now();
        await pool.withContext((context) => capture(context, route), { baseOrigin: origin });
        return [performance.now() - started];
      });
      // Each route of a multi-route attempt: captureRoute alone, three routes in one shared context.
      const sharedRun = await attempt(() =>
        pool.withContext(
          async (context) => {
            const times: number[] = [];
            for (const r of ROUTES) {
              const started = performance.now();
              await capture(context, r);
              times.push(performance.now() - started);
            }
            return times;
          },
          { baseOrigin: origin },
        ),
      );
      if (!measured) continue;
      floor.add(floorRun, 1);
      perContext.add(perContextRun, 1);
      shared.add(sharedRun, ROUTES.length);
    }
  } finally {
    await pool.close();
    await floorBrowser.close();
    server.close();
  }

  const load1End = os.loadavg()[0] ?? 0;
  const shotWarm = stats(floor.samples, floor.attempts);
  const shotCold = stats(cold.samples, cold.attempts);
  const ratio = (p50: number) => Math.round((p50 / shotWarm.p50) * 100) / 100;
  const perContextStats = stats(perContext.samples, perContext.attempts);
  const sharedStats = stats(shared.samples, shared.attempts);
  const results: Result[] = [
    { id: "B9", variant: "floor-warm", unit: "ms", warmup: WARMUP, ...shotWarm, floor: "shotWarm", ratio: 1 },
    { id: "B9", variant: "floor-cold", unit: "ms", warmup: COLD_WARMUP, ...shotCold, floor: "shotCold", ratio: 1 },
    { id: "B9", variant: "patchbay-context-per-route", unit: "ms", warmup: WARMUP, ...perContextStats, floor: "shotWarm", ratio: ratio(perContextStats.p50) },
    { id: "B9", variant: "patchbay-route-in-shared-context", unit: "ms", warmup: WARMUP, ...sharedStats, floor: "shotWarm", ratio: ratio(sharedStats.p50) },
  ];

  const report = {
    run: {
      bench: "screenshots",
      gitSha: gitSha(),
      startedAt: startedAt.toISOString(),
      noisy: load1Start > NOISY_LOAD1 || load1End > NOISY_LOAD1,
      env: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        kernel: os.release(),
        node: process.version,
        chromium: chromiumVersion,
        chromiumSandbox: process.getuid?.() !== 0,
        load1Start: Math.round(load1Start * 100) / 100,
        load1End: Math.round(load1End * 100) / 100,
      },
      viewport: `${VIEWPORT.width}x${VIEWPORT.height}`,
      routes: ROUTES,
    },
    floors: { shotWarm: shotWarm.p50, shotCold: shotCold.p50 },
    results,
    pngBytesP50: stats(pngBytes, pngBytes.length).p50,
    // The target is read off this report and never asserted anywhere.
    target: {
      what: "screenshot per route p50 <= 2x the warm floor p50",
      ratio: results[2]?.ratio,
      met: (results[2]?.ratio ?? Infinity) <= TARGET_RATIO,
      sharedContextRatio: results[3]?.ratio,
    },
  };

  const outFile = writeBenchReport("screenshots", startedAt, report);
  console.error(`wrote ${outFile}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
