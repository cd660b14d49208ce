// One screenshot of one preview route. Failures a preview can cause (HTTP errors, hangs, broken
// navigation) come back as values so a report can show them; a bad route from our own caller throws.
import { errors, type BrowserContext, type Page, type Response } from "playwright-core";
import type { RenderedText } from "@/lib/copy/page-map";
import { AppError } from "@/lib/errors";
import { readRenderedTexts } from "./read-rendered-texts";

export type Viewport = { name: string; width: number; height: number };

export type CaptureInput = {
  /** The preview's origin, e.g. http://172.18.0.5:3000; any path on it is ignored. */
  baseUrl: string;
  /** A path on the preview, starting with "/". */
  route: string;
  viewport: Viewport;
  /** Budget for the whole capture: navigation, settling and the screenshot. */
  timeoutMs: number;
  /** Off by default: viewport shots have a fixed size, so before/after compare pixel for pixel. */
  fullPage?: boolean;
  /** Also read every visible text with its box (copy mode's page pictures). */
  readTexts?: boolean;
};

export type CaptureFailureReason = "http" | "timeout" | "navigation";

export type CaptureResult =
  | { ok: true; png: Buffer; status: number; durationMs: number; texts?: RenderedText[] }
  | { ok: false; reason: CaptureFailureReason; status?: number; message: string; durationMs: number };

/** Upper bound on waiting for fonts and two animation frames after "load". */
const SETTLE_CAP_MS = 2_000;
/**
 * Apps that fetch their data after "load" (most single-page apps) render late. After load we wait for a
 * short window with no request in flight, bounded, instead of a blind networkidle (which waits 500 ms
 * even on a static page and never ends on a page that polls).
 */
const QUIET_WINDOW_MS = 150;
const QUIET_CAP_MS = 5_000;

export async function captureRoute(context: BrowserContext, input: CaptureInput): Promise<CaptureResult> {
  const startedAt = performance.now();
  const url = resolveRouteUrl(input.baseUrl, input.route);
  const deadline = startedAt + input.timeoutMs;
  const elapsed = () => Math.round(performance.now() - startedAt);
  const fail = (reason: CaptureFailureReason, message: string, status?: number): CaptureResult => ({
    ok: false,
    reason,
    ...(status === undefined ? {} : { status }),
    message,
    durationMs: elapsed(),
  });

  const page = await context.newPage();
  let inFlight = 0;
  page.on("request", () => inFlight++);
  page.on("requestfinished", () => inFlight--);
  page.on("requestfailed", () => inFlight--);
  try {
    await page.setViewportSize({ width: input.viewport.width, height: input.viewport.height });

    let response: Response | null;
    try {
      response = await page.goto(url.href, { waitUntil: "load", timeout: input.timeoutMs });
    } catch (error) {
      if (error instanceof errors.TimeoutError) return fail("timeout", `${input.route} did not load within ${input.timeoutMs} ms`);
      return fail("navigation", `${input.route} failed to load: ${firstLine(error)}`);
    }
    if (!response) return fail("navigation", `${input.route} produced no response`);
    // Cross-origin hops are refused by the pool; this also catches one that ended on another origin.
    if (new URL(response.url()).origin !== url.origin || new URL(page.url()).origin !== url.origin) {
      return fail("navigation", `${input.route} left the preview origin`);
    }
    const status = response.status();
    if (status >= 400) return fail("http", `HTTP ${status} from ${input.route}`, status);

    await networkQuiet(() => inFlight, Math.min(QUIET_CAP_MS, deadline - performance.now()));
    await settle(page, Math.min(SETTLE_CAP_MS, deadline - performance.now()));

    const remaining = Math.floor(deadline - performance.now());
    if (remaining <= 0) return fail("timeout", `${input.route} used its ${input.timeoutMs} ms budget before the screenshot`);
    try {
      const png = await page.screenshot({
        type: "png",
        animations: "disabled",
        caret: "hide",
        fullPage: input.fullPage ?? false,
        timeout: remaining,
      });
      const texts = input.readTexts ? await readRenderedTexts(page) : undefined;
      return { ok: true, png, status, durationMs: elapsed(), ...(texts ? { texts } : {}) };
    } catch (error) {
      if (error instanceof errors.TimeoutError) return fail("timeout", `the screenshot of ${input.route} took longer than ${input.timeoutMs} ms`);
      throw error;
    }
  } finally {
    await page.close();
  }
}

/**
 * The absolute URL for `route` on the preview. Only same-origin paths are accepted, so a capture can
 * never be pointed at another host (including "//host" and "/\host", which browsers read as hosts).
 */
export function resolveRouteUrl(baseUrl: string, route: string): URL {
  if (!route.startsWith("/") || route.startsWith("//") || route.startsWith("/\\")) {
    throw new AppError("bad_request", `Route "${route}" must be a path on the preview starting with a single "/".`);
  }
  const origin = new URL(baseUrl).origin;
  const url = new URL(route, origin);
  if (url.origin !== origin) {
    throw new AppError("bad_request", `Route "${route}" must be a path on the preview starting with a single "/".`);
  }
  return url;
}

/**
 * Wait for web fonts and two animation frames so the shot shows a painted page. Bounded on both sides:
 * the in-page timer covers a font that never settles, the Node timer a page whose main thread is stuck.
 */
async function settle(page: Page, budgetMs: number): Promise<void> {
  if (budgetMs <= 0) return;
  const inPage = page.evaluate(async (ms) => {
    const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
    const ready = (async () => {
      await document.fonts.ready;
      await nextFrame();
      await nextFrame();
    })();
    await Promise.race([ready, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
  }, budgetMs);
  // A page that navigates itself while settling still gets its screenshot; the error is not a failure.
  const settled = inPage.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, budgetMs + 100);
  });
  try {
    await Promise.race([settled, cap]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once no request has been in flight for QUIET_WINDOW_MS, or when the budget runs out. */
async function networkQuiet(inFlight: () => number, budgetMs: number): Promise<void> {
  const until = performance.now() + budgetMs;
  let quietSince = performance.now();
  while (performance.now() < until) {
    if (inFlight() > 0) quietSince = performance.now();
    else if (performance.now() - quietSince >= QUIET_WINDOW_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
