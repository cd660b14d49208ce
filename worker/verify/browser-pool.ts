// One warm headless Chromium per worker process, and a locked-down context per use. Preview pages are
// untrusted code (docs/security.md §9): every context is fresh and may only reach the preview's own origin.
//
// Chromium always runs with its own sandbox and without WebRTC UDP around its proxy, started through
// scripts/worker/launch-chromium.sh: it sets the profile's WebRTC policy and, when the worker runs as root
// (to drive Docker), drops to an unprivileged user, since Chromium refuses its sandbox as root
// (docs/security.md §9).
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { tmpdir } from "node:os";
import type { Duplex } from "node:stream";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { AppError } from "@/lib/errors";

export type BrowserPoolOptions = {
  executablePath?: string;
  /** The user id Chromium runs as when the worker is root (PATCHBAY_BROWSER_UID); 65534 is "nobody". */
  browserUid?: number;
};

/** What the caller can report about one context: every request that was refused for leaving the origin. */
export type ContextGuard = {
  readonly baseOrigin: string;
  /** Full URLs for requests aborted by the route layer; `CONNECT host:port` for refused tunnels (https, ws). */
  readonly blockedUrls: readonly string[];
};

export type BrowserPool = {
  withContext<T>(fn: (context: BrowserContext, guard: ContextGuard) => Promise<T>, options: { baseOrigin: string }): Promise<T>;
  close(): Promise<void>;
};

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";
/** Every page sees this as "now" (Date only; timers keep running), so pages that print dates render identically. */
export const FIXED_TIME = "2025-01-15T12:00:00.000Z";
export const DEFAULT_BROWSER_UID = 65534;
const LAUNCH_TIMEOUT_MS = 30_000;
const LAUNCHER = path.resolve(import.meta.dirname, "../../scripts/worker/launch-chromium.sh");

export const CHROMIUM_ARGS = [
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
  // Chromium itself resolves no names: pages reach the preview only through the per-context proxy on
  // 127.0.0.1, which resolves the preview host alone. Anything Chromium would look up itself (DNS
  // prefetch, a STUN server) fails here instead of leaking a lookup to the network.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

export function createBrowserPool(options: BrowserPoolOptions = {}): BrowserPool {
  const executablePath = options.executablePath ?? DEFAULT_CHROMIUM_PATH;
  const browserUid = options.browserUid ?? DEFAULT_BROWSER_UID;
  let current: Promise<Browser> | undefined;
  let closed = false;

  function getBrowser(): Promise<Browser> {
    if (current) return current;
    const launched = launchBrowser(executablePath, browserUid);
    current = launched;
    // Forget a browser that crashed or was closed (or never started) so the next use relaunches it.
    const forget = () => {
      if (current === launched) current = undefined;
    };
    launched.then((browser) => browser.on("disconnected", forget), forget);
    return launched;
  }

  async function connectedBrowser(): Promise<Browser> {
    const browser = await getBrowser();
    if (browser.isConnected()) return browser;
    // Disconnected before its event reached us: drop it and launch a fresh one.
    if (current) current = undefined;
    return getBrowser();
  }

  async function withContext<T>(fn: (context: BrowserContext, guard: ContextGuard) => Promise<T>, contextOptions: { baseOrigin: string }): Promise<T> {
    if (closed) throw new AppError("internal", "The screenshot browser has been shut down.");
    const base = parseBaseOrigin(contextOptions.baseOrigin);
    const blockedUrls: string[] = [];
    const block = (url: string) => blockedUrls.push(url);
    const egress = await startEgressProxy(base, block);
    try {
      const browser = await connectedBrowser();
      const context = await browser.newContext({
        // No storageState, no credentials: nothing from earlier attempts or from the worker reaches the page.
        javaScriptEnabled: true,
        serviceWorkers: "block",
        acceptDownloads: false,
        reducedMotion: "reduce",
        colorScheme: "light",
        locale: "en-US",
        timezoneId: "UTC",
        deviceScaleFactor: 1,
        // Backstop for what context.route cannot see, such as redirect hops and WebSockets (see startEgressProxy).
        proxy: { server: egress.server, bypass: "<-loopback>" },
      });
      try {
        await context.clock.setFixedTime(FIXED_TIME);
        await context.route(
          (url) => url.origin !== base.origin,
          (route) => {
            block(route.request().url());
            return route.abort("blockedbyclient");
          },
        );
        return await fn(context, { baseOrigin: base.origin, blockedUrls });
      } finally {
        if (browser.isConnected()) await context.close();
      }
    } finally {
      await egress.close();
    }
  }

  async function close(): Promise<void> {
    closed = true;
    const pending = current;
    current = undefined;
    if (!pending) return;
    // A launch that failed has nothing to close; its error already reached whoever was waiting on it.
    const browser = await pending.catch(() => undefined);
    if (browser?.isConnected()) await browser.close();
  }

  return { withContext, close };
}

async function launchBrowser(executablePath: string, browserUid: number): Promise<Browser> {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && browserUid === 0) {
    throw new AppError("internal", "PATCHBAY_BROWSER_UID must not be 0: Chromium runs with its sandbox, as an unprivileged user.");
  }
  return chromium.launch({
    executablePath: LAUNCHER,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    // Playwright turns the sandbox off unless asked; never run a preview's code without it.
    chromiumSandbox: true,
    args: CHROMIUM_ARGS,
    // Not the worker's environment (the model key, database URLs): only what Chromium needs to run, plus
    // what the launcher needs (it removes those before starting Chromium).
    env: { ...browserEnv(), PATCHBAY_CHROMIUM_PATH: executablePath, ...(isRoot ? { PATCHBAY_BROWSER_UID: String(browserUid) } : {}) },
  });
}

/** The whole environment the screenshot browser gets. */
export function browserEnv(): Record<string, string> {
  return { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: tmpdir(), LANG: "C.UTF-8", TZ: "UTC" };
}

function parseBaseOrigin(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError("bad_request", `The preview origin "${value}" is not a URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError("bad_request", `The preview origin "${value}" must be an http(s) URL.`);
  }
  return new URL(url.origin);
}

type EgressProxy = { server: string; close(): Promise<void> };

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "upgrade"];

/**
 * A per-context HTTP proxy on 127.0.0.1 that forwards only to the preview origin. context.route never
 * sees redirect hops (a same-origin 302 to another host would be followed) or WebSockets; Chromium sends
 * all of those through its proxy, so this is where they are refused.
 */
async function startEgressProxy(base: URL, onBlocked: (url: string) => void): Promise<EgressProxy> {
  const basePort = Number(base.port || (base.protocol === "https:" ? 443 : 80));
  const baseHost = base.hostname.replace(/^\[|\]$/g, "");
  const tunnelTarget = `${base.hostname}:${basePort}`;
  const agent = new http.Agent({ keepAlive: true });
  const tunnels = new Set<Duplex>();

  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (target.origin !== base.origin) {
      onBlocked(target.href);
      res.writeHead(403).end();
      return;
    }
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const upstream = http.request(
      { host: baseHost, port: basePort, method: req.method, path: target.pathname + target.search, headers, agent },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
    // The browser gave up (page closed, timeout): stop waiting on the preview too.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });

  // https and ws(s) arrive as CONNECT tunnels; only the preview's own host:port may be tunnelled to.
  server.on("connect", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    tunnels.add(socket);
    socket.on("close", () => tunnels.delete(socket));
    socket.on("error", () => socket.destroy());
    if (req.url !== tunnelTarget) {
      onBlocked(`CONNECT ${req.url ?? ""}`);
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = net.connect(basePort, baseHost, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    server: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of tunnels) socket.destroy();
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
