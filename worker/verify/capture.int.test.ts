// Real Chromium against a local preview server: determinism, failures as values, and the origin lock.
import dgram from "node:dgram";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Page } from "playwright-core";
import { createBrowserPool, DEFAULT_CHROMIUM_PATH, FIXED_TIME, type BrowserPool } from "./browser-pool";
import { captureRoute, type CaptureResult, type Viewport } from "./capture-route";
import { waitFor } from "@/test/support/wait-for";
import { compareImages } from "./compare-images";

const DESKTOP: Viewport = { name: "desktop", width: 1280, height: 800 };
const MOBILE: Viewport = { name: "mobile", width: 390, height: 844 };
const TIMEOUT_MS = 15_000;

type TestServer = { server: http.Server; origin: string; sockets: Set<Socket> };

async function listen(host: string, handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}`, sockets };
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

/** Every process below `root`, from /proc (the browser and its helpers). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(Number(name), "stat");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid) parents.set(Number(name), ppid);
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent !== pid || found.includes(child)) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

async function stop(test: TestServer | undefined): Promise<void> {
  if (!test) return;
  for (const socket of test.sockets) socket.destroy();
  await new Promise<void>((resolve) => test.server.close(() => resolve()));
}

function page(heading: string, extra = ""): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body { font-family: sans-serif; margin: 24px; }
    @keyframes spin { from { transform: rotate(0deg); background: #c33; } to { transform: rotate(360deg); background: #33c; } }
    .spinner { width: 80px; height: 80px; animation: spin 700ms linear infinite; }
    input { font-size: 20px; }
  </style></head><body>
    <h1>${heading}</h1>
    <div class="spinner"></div>
    <p id="now"></p>
    <input autofocus value="caret here">
    <script>
      const show = () => { document.getElementById("now").textContent = "Rendered at " + new Date().toISOString() + " (" + Date.now() + ")"; };
      show();
      setInterval(show, 30);
    </script>
    ${extra}
  </body></html>`;
}

function expectPng(result: CaptureResult): Buffer {
  if (!result.ok) throw new Error(`capture failed: ${result.reason}: ${result.message}`);
  return result.png;
}

describe("screenshot capture (real Chromium)", () => {
  let pool: BrowserPool;
  let preview: TestServer;
  let outside: TestServer;
  const outsideHits: string[] = [];
  let outsideConnections = 0;

  beforeAll(async () => {
    outside = await listen("127.0.0.2", (req, res) => {
      outsideHits.push(req.url ?? "");
      res.end("leaked");
    });
    outside.server.on("connection", () => outsideConnections++);
    preview = await listen("127.0.0.1", (req, res) => {
      const html = (body: string) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
      switch (req.url) {
        case "/":
          return html(page("Patchbay preview"));
        case "/changed":
          return html(page("A different heading"));
        case "/broken":
          return res.writeHead(500, { "content-type": "text/plain" }).end("boom");
        case "/hang":
          return; // never answers
        case "/bounce":
          return res.writeHead(302, { location: `${outside.origin}/via-redirect.png` }).end();
        case "/redirect-away":
          return res.writeHead(302, { location: `${outside.origin}/landing` }).end();
        case "/external":
          return html(
            page(
              "External assets",
              `<img src="http://example.invalid/x.png">
               <script src="${outside.origin}/x.js"></script>
               <img src="/bounce">
               <script>try { new WebSocket("${outside.origin.replace("http:", "ws:")}/socket"); } catch {}</script>`,
            ),
          );
        default:
          return res.writeHead(404).end();
      }
    });
    pool = createBrowserPool();
  });

  afterAll(async () => {
    await pool?.close();
    await stop(preview);
    await stop(outside);
  });

  const capture = (route: string, viewport: Viewport = DESKTOP, timeoutMs = TIMEOUT_MS) =>
    pool.withContext((context) => captureRoute(context, { baseUrl: preview.origin, route, viewport, timeoutMs }), {
      baseOrigin: preview.origin,
    });

  it("captures the same page twice pixel-identically despite animation, a live clock and a caret", async () => {
    const first = expectPng(await capture("/"));
    const second = expectPng(await capture("/"));
    expect(compareImages(first, second).changedPixels).toBe(0);
  });

  it("pins Date to the fixed time", async () => {
    const now = await pool.withContext(
      async (context) => {
        const tab = await context.newPage();
        await tab.goto(`${preview.origin}/`);
        return tab.evaluate(() => Date.now());
      },
      { baseOrigin: preview.origin },
    );
    expect(now).toBe(Date.parse(FIXED_TIME));
  });

  it("shows a different heading as changed pixels", async () => {
    const before = expectPng(await capture("/"));
    const after = expectPng(await capture("/changed"));
    const diff = compareImages(before, after);
    expect(diff.sizeChanged).toBe(false);
    expect(diff.changedPixels).toBeGreaterThan(0);
  });

  it("gives viewport-sized PNGs for desktop and mobile", async () => {
    for (const viewport of [DESKTOP, MOBILE]) {
      const png = PNG.sync.read(expectPng(await capture("/", viewport)));
      expect({ width: png.width, height: png.height }).toEqual({ width: viewport.width, height: viewport.height });
    }
  });

  it("reports an HTTP error status without a screenshot", async () => {
    const result = await capture("/broken");
    expect(result).toMatchObject({ ok: false, reason: "http", status: 500, message: "HTTP 500 from /broken" });
    expect(result).not.toHaveProperty("png");
  });

  it("reports a route that never answers as a timeout", async () => {
    const result = await capture("/hang", DESKTOP, 1_500);
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
    expect(result.durationMs).toBeGreaterThanOrEqual(1_400);
  });

  it("blocks and reports requests to other origins, including redirect hops and WebSockets", async () => {
    const { result, blocked } = await pool.withContext(
      async (context, guard) => {
        const result = await captureRoute(context, { baseUrl: preview.origin, route: "/external", viewport: DESKTOP, timeoutMs: TIMEOUT_MS });
        return { result, blocked: [...guard.blockedUrls] };
      },
      { baseOrigin: preview.origin },
    );
    expect(result.ok).toBe(true);
    expect(blocked).toEqual(
      expect.arrayContaining([
        "http://example.invalid/x.png",
        `${outside.origin}/x.js`,
        `${outside.origin}/via-redirect.png`,
        `CONNECT ${outside.origin.replace("http://", "")}`,
      ]),
    );
    expect(outsideHits).toEqual([]);
    expect(outsideConnections).toBe(0);
  });

  it("fails a navigation that redirects to another origin, without reaching it", async () => {
    const { result, blocked } = await pool.withContext(
      async (context, guard) => ({
        result: await captureRoute(context, { baseUrl: preview.origin, route: "/redirect-away", viewport: DESKTOP, timeoutMs: TIMEOUT_MS }),
        blocked: [...guard.blockedUrls],
      }),
      { baseOrigin: preview.origin },
    );
    expect(result).toMatchObject({ ok: false, reason: "navigation" });
    expect(blocked).toContain(`${outside.origin}/landing`);
    expect(outsideHits).toEqual([]);
  });

  it("rejects routes that are not same-origin paths before opening a page", async () => {
    await pool.withContext(
      async (context) => {
        for (const route of ["http://other/", "//other/x", "/\\other/x", "about", ""]) {
          await expect(captureRoute(context, { baseUrl: preview.origin, route, viewport: DESKTOP, timeoutMs: TIMEOUT_MS })).rejects.toThrow(
            /must be a path on the preview/,
          );
        }
        expect(context.pages()).toHaveLength(0);
      },
      { baseOrigin: preview.origin },
    );
  });

  it("runs Chromium with none of the worker's environment", async () => {
    // Whatever the worker holds (the model key, database URLs) must not be readable by the browser process.
    process.env.PATCHBAY_PLANTED_FOR_BROWSER = "planted-value-must-not-reach-chromium";
    try {
      const fresh = createBrowserPool();
      try {
        await fresh.withContext(async (context) => (await context.newPage()).close(), { baseOrigin: preview.origin });
        const environments = descendants(process.pid)
          .filter((pid) => /chrom/i.test(readProc(pid, "comm")))
          .map((pid) => readProc(pid, "environ"));
        expect(environments.length).toBeGreaterThan(0);
        for (const environ of environments) {
          expect(environ).not.toContain("planted-value-must-not-reach-chromium");
          expect(environ).not.toContain("DATABASE_URL");
        }
      } finally {
        await fresh.close();
      }
    } finally {
      delete process.env.PATCHBAY_PLANTED_FOR_BROWSER;
    }
  });

  it("runs Chromium with its own sandbox, never as root", async () => {
    // A preview is untrusted code: a renderer exploit must land in Chromium's sandbox, as an unprivileged
    // user, not as the root worker next to the Docker socket.
    await pool.withContext(
      async (context) => {
        const page = await context.newPage();
        await page.goto(preview.origin);
        const processes = descendants(process.pid)
          .filter((pid) => /chrom/i.test(readProc(pid, "comm")))
          .map((pid) => ({ pid, status: readProc(pid, "status"), cmdline: readProc(pid, "cmdline").replaceAll("\0", " ") }));
        // Chromium rewrites its process title into one space-separated string.
        const renderers = processes.filter((p) => / --type=renderer /.test(p.cmdline));
        expect(renderers.length).toBeGreaterThan(0);
        for (const { status, cmdline } of processes) {
          expect(cmdline).not.toMatch(/ --no-sandbox( |$)/);
          const [real, effective] = (status.match(/^Uid:\s+(\d+)\s+(\d+)/m) ?? []).slice(1).map(Number);
          if (process.getuid?.() === 0) {
            expect(real).not.toBe(0);
            expect(effective).not.toBe(0);
          }
        }
        // Chromium's Linux sandbox puts renderers in their own user and PID namespaces.
        const namespaceOf = (pid: number | string, kind: string) => {
          try {
            return readlinkSync(`/proc/${pid}/ns/${kind}`);
          } catch {
            return "";
          }
        };
        for (const { pid } of renderers) {
          expect(namespaceOf(pid, "user")).not.toBe(namespaceOf("self", "user"));
          expect(namespaceOf(pid, "pid")).not.toBe(namespaceOf("self", "pid"));
        }
        await page.close();
      },
      { baseOrigin: preview.origin },
    );
  });

  it("sends no WebRTC traffic around the proxy, where a browser without that setting does", async () => {
    // A STUN server on this host: a page that gathers ICE candidates sends it UDP binding requests,
    // unless the browser may send no UDP that bypasses its proxy (scripts/worker/launch-chromium.sh).
    const stun = dgram.createSocket("udp4");
    const packets: string[] = [];
    stun.on("message", (_message, from) => packets.push(`${from.address}:${from.port}`));
    await new Promise<void>((resolve) => stun.bind(0, "127.0.0.1", resolve));
    const stunUrl = `stun:127.0.0.1:${stun.address().port}`;
    // Resolves with the candidates once gathering is complete.
    const gather = (page: Page) =>
      page.evaluate(async (url) => {
        const peer = new RTCPeerConnection({ iceServers: [{ urls: url }] });
        const candidates: string[] = [];
        peer.addEventListener("icecandidate", (event) => event.candidate && candidates.push(event.candidate.candidate));
        peer.createDataChannel("probe");
        await peer.setLocalDescription(await peer.createOffer());
        await new Promise<void>((resolve) => {
          if (peer.iceGatheringState === "complete") resolve();
          peer.addEventListener("icegatheringstatechange", () => peer.iceGatheringState === "complete" && resolve());
        });
        peer.close();
        return candidates;
      }, stunUrl);
    try {
      // The control: the same page in a plain Chromium reaches the STUN server.
      const plain = await chromium.launch({ executablePath: DEFAULT_CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
      try {
        const page = await plain.newPage();
        await page.goto(preview.origin);
        void gather(page).catch(() => undefined);
        await waitFor("a plain browser to send STUN requests", async () => packets.length > 0, 30_000);
      } finally {
        await plain.close();
      }
      packets.length = 0;

      const candidates = await pool.withContext(
        async (context) => {
          const page = await context.newPage();
          await page.goto(preview.origin);
          return gather(page);
        },
        { baseOrigin: preview.origin },
      );
      expect(candidates).toEqual([]);
      expect(packets).toEqual([]);
    } finally {
      stun.close();
    }
  });

  it("relaunches the browser after it goes away", async () => {
    await pool.withContext(async (context) => context.browser()?.close(), { baseOrigin: preview.origin });
    expectPng(await capture("/", MOBILE));
  });
});
