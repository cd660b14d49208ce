// The screenshot stage after an attempt that changed files: the app runs in preview sandboxes on the
// attempt's internal network, on a fresh checkout of the base commit ("before") and on the agent's
// workspace ("after"), both at once; the worker's browser captures each route at each viewport and the
// pixel difference is computed. "Before" pictures an earlier attempt took of the same commit, route and
// viewport are reused (lib/artifacts/before-pictures.ts): when all are, the base commit's app is not
// started at all. It never throws for app problems: they are recorded in the report next to the diff,
// which stands on its own.
import type { BrowserContext } from "playwright-core";
import { AppError } from "@/lib/errors";
import type { CaptureOutcome, PreviewFailure, PreviewReport, Shot } from "@/lib/artifacts/preview-report";
import type { EventBody } from "@/lib/events";
import type { PreviewConfig, Viewport } from "@/lib/environments/preview-config";
import { loadWorkspace } from "@/worker/repos/load-workspace";
import type { CacheVolumes, NetworkSpec, SandboxDriver, SandboxHandle, SandboxRole } from "@/worker/sandbox/driver";
import type { BrowserPool, ContextGuard } from "./browser-pool";
import { captureRoute } from "./capture-route";
import { compareImages } from "./compare-images";
import { PreviewError, probeReadiness, startPreview } from "./preview-server";
import type { WarmPreview } from "./warm-previews";

const CAPTURE_TIMEOUT_MS = 30_000;

export type StoredArtifact = { id: string };
export type SaveArtifact = (kind: "screenshot" | "screenshot-diff", png: Buffer, metadata: Record<string, unknown>) => Promise<StoredArtifact>;

/** "Before" pictures kept from earlier attempts on the same commit; the stage also keeps the ones it takes. */
export type BeforePictures = {
  find(route: string, viewport: Viewport): Promise<{ png: Buffer; status: number | null; artifactId: string } | null>;
  keep(route: string, viewport: Viewport, artifactId: string, status: number): Promise<void>;
};

export type ScreenshotStageInput = {
  driver: SandboxDriver;
  browsers: BrowserPool;
  saveArtifact: SaveArtifact;
  sandbox: NetworkSpec & { image: string; limits: { memoryBytes: number; nanoCpus: number }; env?: Record<string, string> };
  /** A setup cache to fill the "before" checkout from (installed dependencies); null without setup. */
  baseCache?: CacheVolumes | null;
  config: PreviewConfig;
  routes: string[];
  base: { mirrorPath: string; commit: string; branch: string; gitTimeoutSec: number };
  signal: AbortSignal;
  emit: (body: EventBody) => Promise<void>;
  beforePictures?: BeforePictures;
  /**
   * The change as a patch: the "after" app then runs on its own checkout of the base commit with the patch
   * applied, instead of on the agent's workspace, so the caller may run its check on that workspace at the
   * same time. A promise lets the stage start before the patch exists: the "after" sandbox is made and
   * checked out meanwhile.
   */
  changeAsPatch?: string | Promise<string>;
  /**
   * An app already running at the base commit that shows edits live (warm-previews.ts), for a change given
   * as `changeAsPatch`: the "before" pictures nobody kept are taken on it, then the patch is applied to it
   * and the "after" ones are taken, instead of making, installing and starting two apps. `take` gives null
   * when none is kept; what it gives is handed back with `discard` (removed, never reused).
   */
  keptApp?: { take(signal: AbortSignal): Promise<WarmPreview | null>; discard(preview: WarmPreview): void };
};

type Target = { route: string; viewport: Viewport };
type SideResult = { captures: Map<string, CaptureOutcome>; pngs: Map<string, Buffer>; failure: PreviewFailure | null; blocked: string[] };

export async function runScreenshotStage(input: ScreenshotStageInput): Promise<PreviewReport> {
  const started = Date.now();
  const targets = input.routes.flatMap((route) => input.config.viewports.map((viewport) => ({ route, viewport })));
  // The apps start at once; the kept "before" pictures are looked up meanwhile (only the "before" side and
  // the comparisons need them).
  const reusing = reuseBeforePictures(input, targets);
  reusing.catch(() => undefined);
  // A shot whose "before" was kept is compared as soon as its "after" is taken, while the next one is;
  // undefined: nothing was kept, it is compared once its "before" is taken.
  const diffs = new Map<string, Promise<Shot["diff"] | undefined>>();
  const compareEarly = (target: Target, afterPng: Buffer) => {
    const key = shotKey(target.route, target.viewport);
    const diff = reusing.then((kept) => {
      const beforePng = kept.pngs.get(key);
      return beforePng ? compareAndSave(input, target, beforePng, afterPng) : undefined;
    });
    diff.catch(() => undefined);
    diffs.set(key, diff);
  };
  const missingBefore = async () => {
    const kept = await reusing;
    return targets.filter((target) => !kept.captures.has(shotKey(target.route, target.viewport)));
  };
  const warm = input.changeAsPatch !== undefined ? await takeWarmApp(input) : null;
  let taken: SideResult;
  let after: SideResult;
  if (warm) {
    // One app for both sides: the missing "before" pictures first, then the patch, then the "after" ones.
    [taken, after] = await captureOnWarmApp(input, { warm, patch: input.changeAsPatch ?? "", missingBefore, targets, onCaptured: compareEarly });
  } else {
    const network = await input.driver.ensureNetwork(input.sandbox);
    const takeMissing = async () => {
      const missing = await missingBefore();
      return missing.length > 0 ? captureSide(input, network, "before", missing) : emptySide();
    };
    // The two previews share nothing but the network and the browser (a context each): run together. Both
    // are waited for even when one throws (a cancel), so no sandbox is still being made when the caller
    // cleans up.
    [taken, after] = await settledBoth(takeMissing(), captureSide(input, network, "after", targets, compareEarly));
  }
  const reused = await reusing;
  const before: SideResult = {
    captures: new Map([...reused.captures, ...taken.captures]),
    pngs: new Map([...reused.pngs, ...taken.pngs]),
    failure: taken.failure,
    blocked: taken.blocked,
  };

  const shots: Shot[] = [];
  for (const route of input.routes) {
    for (const viewport of input.config.viewports) {
      const key = shotKey(route, viewport);
      const beforeOutcome = before.captures.get(key) ?? notCaptured(before.failure);
      const afterOutcome = after.captures.get(key) ?? notCaptured(after.failure);
      const beforePng = before.pngs.get(key);
      const afterPng = after.pngs.get(key);
      const early = await diffs.get(key);
      const diff = beforePng && afterPng ? (early ?? (await compareAndSave(input, { route, viewport }, beforePng, afterPng))) : null;
      const shot: Shot = { route, viewport, before: beforeOutcome, after: afterOutcome, diff };
      shots.push(shot);
      await input.emit({
        type: "screenshot",
        payload: {
          route,
          viewport: viewport.name,
          status: diff ? (diff.changedPixels > 0 ? "changed" : "unchanged") : "failed",
          ...(diff ? { changedRatio: diff.changedRatio } : {}),
        },
      });
    }
  }
  return {
    routes: input.routes,
    shots,
    failures: [before.failure, after.failure].filter((failure): failure is PreviewFailure => failure !== null),
    blockedRequests: [...new Set([...before.blocked, ...after.blocked])].slice(0, 50),
    durationMs: Date.now() - started,
  };
}

/** The pixel difference of one shot, stored as an artifact. */
async function compareAndSave(input: ScreenshotStageInput, target: Target, beforePng: Buffer, afterPng: Buffer): Promise<NonNullable<Shot["diff"]>> {
  // A turn of the event loop first: the caller goes on (the next capture starts) before this CPU work.
  await new Promise((resolve) => setImmediate(resolve));
  const result = compareImages(beforePng, afterPng);
  const artifact = await input.saveArtifact("screenshot-diff", result.diffPng, {
    route: target.route,
    viewport: target.viewport,
    side: "diff",
    changedRatio: result.changedRatio,
  });
  return { artifactId: artifact.id, changedPixels: result.changedPixels, changedRatio: result.changedRatio, sizeChanged: result.sizeChanged };
}

async function settledBoth<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === "rejected") throw a.reason;
  if (b.status === "rejected") throw b.reason;
  return [a.value, b.value];
}

function emptySide(): SideResult {
  return { captures: new Map(), pngs: new Map(), failure: null, blocked: [] };
}

/** The kept "before" pictures of these targets, stored again as this attempt's own artifacts. */
async function reuseBeforePictures(input: ScreenshotStageInput, targets: Target[]): Promise<SideResult> {
  const result = emptySide();
  if (!input.beforePictures) return result;
  for (const { route, viewport } of targets) {
    // A lookup that fails only costs the reuse: the picture is taken again.
    const kept = await input.beforePictures.find(route, viewport).catch(() => null);
    if (!kept) continue;
    const artifact = await input.saveArtifact("screenshot", kept.png, { route, viewport, side: "before", reusedFrom: kept.artifactId });
    const key = shotKey(route, viewport);
    result.captures.set(key, { ok: true, artifactId: artifact.id, status: kept.status ?? 200 });
    result.pngs.set(key, kept.png);
  }
  if (result.pngs.size > 0) {
    await input.emit({
      type: "preview",
      payload: { side: "before", stage: "captured", message: `Reused ${result.pngs.size} screenshot(s) of the base commit taken by an earlier task.` },
    });
  }
  return result;
}

async function captureSide(
  input: ScreenshotStageInput,
  network: string,
  side: "before" | "after",
  targets: Target[],
  onCaptured?: (target: Target, png: Buffer) => void,
): Promise<SideResult> {
  const result = emptySide();
  result.failure = await withPreview(input, network, side, async (context, guard, baseUrl) => {
    await captureTargets(input, { context, baseUrl, side, targets, result, ...(onCaptured ? { onCaptured } : {}) });
    result.blocked = [...guard.blockedUrls];
  });
  return result;
}

/**
 * Both sides on an app kept running at the base commit that shows edits live (warm-previews.ts): the
 * "before" pictures nobody kept are taken first, then the patch goes in and the "after" ones are taken.
 * The app is removed afterwards, whatever happened.
 */
async function captureOnWarmApp(
  input: ScreenshotStageInput,
  run: {
    warm: WarmPreview;
    patch: string | Promise<string>;
    missingBefore: () => Promise<Target[]>;
    targets: Target[];
    onCaptured: (target: Target, png: Buffer) => void;
  },
): Promise<[SideResult, SideResult]> {
  const { warm } = run;
  const before = emptySide();
  const after = emptySide();
  const at: { side: "before" | "after" } = { side: "after" };
  try {
    await input.browsers.withContext(
      async (context, guard) => {
        const baseUrl = warm.preview.baseUrl;
        const missing = await run.missingBefore();
        if (missing.length > 0) {
          at.side = "before";
          await input.emit({ type: "preview", payload: { side: "before", stage: "starting", message: "Using the app running at the base commit." } });
          await captureTargets(input, { context, baseUrl, side: "before", targets: missing, result: before });
          before.blocked = [...guard.blockedUrls];
          at.side = "after";
        }
        await input.emit({
          type: "preview",
          payload: { side: "after", stage: "starting", message: "Applying the changes to the app running at the base commit." },
        });
        // It shows edits on the next page load (servesEditsLive): the patch is all it needs.
        await applyPatch(input, warm.handle, await run.patch);
        await captureTargets(input, { context, baseUrl, side: "after", targets: run.targets, result: after, onCaptured: run.onCaptured });
        after.blocked = [...guard.blockedUrls];
      },
      { baseOrigin: warm.preview.origin },
    );
  } catch (error) {
    if (input.signal.aborted) throw new AppError("cancelled", "Cancelled.");
    const failure = previewFailure(at.side, error);
    await input.emit({ type: "preview", payload: { side: at.side, stage: "failed", message: failure.message } });
    // The "after" side never ran when the "before" one failed: it fails with it.
    if (at.side === "before") before.failure = failure;
    after.failure = { ...failure, side: "after" };
  } finally {
    input.keptApp?.discard(warm);
  }
  return [before, after];
}

/**
 * Takes each target's picture, one page at a time (a page in the background gets no animation frames, so
 * it would not settle). Each picture is stored while the next page is taken: the database write need not
 * hold up the browser. A failed save throws once every save has ended.
 */
async function captureTargets(
  input: ScreenshotStageInput,
  run: {
    context: BrowserContext;
    baseUrl: string;
    side: "before" | "after";
    targets: Target[];
    result: SideResult;
    onCaptured?: (target: Target, png: Buffer) => void;
  },
): Promise<void> {
  const { side, result } = run;
  const saves: Promise<void>[] = [];
  for (const { route, viewport } of run.targets) {
    const capture = await captureRoute(run.context, { baseUrl: run.baseUrl, route, viewport, timeoutMs: CAPTURE_TIMEOUT_MS });
    const key = shotKey(route, viewport);
    if (capture.ok) {
      result.pngs.set(key, capture.png);
      run.onCaptured?.({ route, viewport }, capture.png);
      const save = (async () => {
        const artifact = await input.saveArtifact("screenshot", capture.png, { route, viewport, side });
        result.captures.set(key, { ok: true, artifactId: artifact.id, status: capture.status });
        // Losing a kept picture only costs the next attempt a preview: never this one's screenshots.
        if (side === "before") await input.beforePictures?.keep(route, viewport, artifact.id, capture.status).catch(() => undefined);
      })();
      saves.push(save);
    } else {
      result.captures.set(key, { ok: false, reason: capture.reason, message: capture.message, ...(capture.status ? { status: capture.status } : {}) });
    }
  }
  const failed = (await Promise.allSettled(saves)).find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  await input.emit({
    type: "preview",
    payload: { side, stage: "captured", message: `Captured ${result.pngs.size} screenshot(s) ${side === "before" ? "before" : "after"} the change.` },
  });
}

export type PreviewSessionInput = Pick<
  ScreenshotStageInput,
  "driver" | "browsers" | "sandbox" | "baseCache" | "config" | "base" | "signal" | "emit" | "changeAsPatch"
>;

/**
 * Runs `work` with a browser on the app in a preview sandbox: "before" checks out the base commit (from
 * the setup cache when there is one), "after" previews the attempt's workspace, or the base commit with
 * `changeAsPatch` applied when it is given. Problems with the app
 * come back as the failure (also in the timeline), never as an exception; cancelling throws.
 */
export async function withPreview(
  input: PreviewSessionInput,
  network: string,
  side: "before" | "after",
  work: (context: BrowserContext, guard: ContextGuard, baseUrl: string) => Promise<void>,
): Promise<PreviewFailure | null> {
  const patch = side === "after" ? input.changeAsPatch : undefined;
  const role: SandboxRole = side === "before" ? "preview-base" : patch !== undefined ? "preview-patched" : "preview-result";
  await input.emit({
    type: "preview",
    payload: { side, stage: "starting", message: side === "before" ? "Starting the app at the base commit." : "Starting the app with the changes." },
  });
  let handle: SandboxHandle | undefined;
  try {
    const ownCheckout = role !== "preview-result";
    handle = await input.driver.ensure({ ...input.sandbox, role, network, ...(ownCheckout && input.baseCache ? { restoreFrom: input.baseCache } : {}) });
    if (ownCheckout) {
      await loadWorkspace(input.driver, handle, {
        mirrorPath: input.base.mirrorPath,
        baseCommit: input.base.commit,
        branch: input.base.branch,
        timeoutSec: input.base.gitTimeoutSec,
      });
    }
    if (patch !== undefined) await applyPatch(input, handle, await patch);
    const preview = await startPreview(input.driver, handle, { config: input.config, network, signal: input.signal });
    await input.browsers.withContext((context, guard) => work(context, guard, preview.baseUrl), { baseOrigin: preview.origin });
    return null;
  } catch (error) {
    if (input.signal.aborted) throw new AppError("cancelled", "Cancelled.");
    const failure = previewFailure(side, error);
    await input.emit({ type: "preview", payload: { side, stage: "failed", message: failure.message } });
    return failure;
  } finally {
    // The pictures are taken: the stage need not wait for the container's removal (the attempt's end does).
    if (handle) await input.driver.release(handle, { background: true });
  }
}

function previewFailure(side: "before" | "after", error: unknown): PreviewFailure {
  return error instanceof PreviewError
    ? { side, stage: error.stage, message: error.message, logTail: error.logTail }
    : { side, stage: "sandbox", message: `The preview sandbox failed: ${(error as Error).message}`, logTail: "" };
}

/** A kept app of the base commit that still answers; one that stopped is removed and the stage starts its own. */
async function takeWarmApp(input: ScreenshotStageInput): Promise<WarmPreview | null> {
  const warm = (await input.keptApp?.take(input.signal)) ?? null;
  if (!warm || (await probeReadiness(warm.preview.origin, input.config)) === "ready") return warm;
  input.keptApp?.discard(warm);
  return null;
}

/** Applies the change to the preview's checkout as git would (binary files included). */
async function applyPatch(input: PreviewSessionInput, handle: SandboxHandle, patch: string): Promise<void> {
  if (patch.trim() === "") return;
  const applied = await input.driver.exec(handle, ["git", "apply", "--binary", "--whitespace=nowarn", "-"], {
    timeoutSec: input.base.gitTimeoutSec,
    maxOutputBytes: 64 * 1024,
    stdin: patch,
    signal: input.signal,
  });
  if (applied.exitCode !== 0) {
    throw new PreviewError("sandbox", `The change could not be applied to the preview's checkout: ${applied.stderr.toString().trim().slice(-800)}`, "");
  }
}

function shotKey(route: string, viewport: Viewport): string {
  return `${route} ${viewport.name}`;
}

function notCaptured(failure: PreviewFailure | null): CaptureOutcome {
  return { ok: false, reason: failure?.stage ?? "skipped", message: failure ? failure.message : "Not captured." };
}
