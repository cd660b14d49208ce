// A copy change's before/after pictures, started as early as their pages are known: a copy request carries
// the pages its texts were seen on, so both preview sandboxes are made and checked out (and the kept "before"
// pictures read) while the edits are still being applied; only the "after" app waits for the patch. For an
// app that shows edits live, the "after" side takes the app the worker kept running at the base commit
// (warm-previews.ts), and asks for the next one once the attempt is done.
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import type { PreviewConfig } from "@/lib/environments/preview-config";
import { AppError } from "@/lib/errors";
import type { CacheVolumes } from "@/worker/sandbox/driver";
import type { WarmPreview } from "@/worker/verify/warm-previews";
import type { AttemptContext } from "./attempt-context";
import { makeWarmPreview, type WarmPreviewRecipe, warmPreviewKey } from "@/worker/verify/warm-preview-sandbox";
import { captureScreenshots, phaseEnv } from "./attempt-stages";

export type ChangePictures = {
  /** The change is ready: the pictures go on with its patch (or start now, when its files pick the pages). */
  ready(diff: { patch: string; files: string[] }): Promise<PreviewReport>;
  /** Not needed after all (nothing changed, the change was refused, or it failed): stops them and waits. */
  cancel(): Promise<void>;
  /**
   * The attempt is done: the worker makes an app of the base commit for the next change, in the background
   * (only for an app that shows edits live; made after the attempt so it does not compete with its check).
   */
  keepAppForNextChange(): void;
};

export function startChangePictures(
  ctx: AttemptContext,
  input: { config: PreviewConfig; routes: string[] | undefined; mirrorPath: string; baseCommit: string; setupCache: CacheVolumes | null },
): ChangePictures {
  // Its own signal: cancelling the pictures must not cancel the attempt; cancelling the attempt stops them.
  const controller = new AbortController();
  const stop = () => controller.abort(new AppError("cancelled", "Cancelled."));
  ctx.signal.addEventListener("abort", stop, { once: true });
  let providePatch: (patch: string) => void = () => undefined;
  let withdrawPatch: (reason: unknown) => void = () => undefined;
  const patch = new Promise<string>((resolve, reject) => {
    providePatch = resolve;
    withdrawPatch = reject;
  });
  patch.catch(() => undefined);

  const warmPreviews = input.config.servesEditsLive ? ctx.deps.warmPreviews : null;
  const recipe: WarmPreviewRecipe = {
    environmentId: ctx.task.environment.id,
    sandbox: { instanceId: ctx.deps.instanceId, workerId: ctx.deps.workerId, image: ctx.deps.sandboxImage, limits: ctx.deps.limits, env: phaseEnv(ctx) },
    baseCache: input.setupCache,
    config: input.config,
    base: { mirrorPath: input.mirrorPath, commit: input.baseCommit, branch: ctx.task.branch, gitTimeoutSec: ctx.deps.gitTimeoutSec },
  };
  const key = warmPreviewKey(recipe);
  const warmAfter = warmPreviews
    ? { take: (signal: AbortSignal) => warmPreviews.take(key, signal), discard: (preview: WarmPreview) => warmPreviews.discard(preview) }
    : undefined;

  const start = (changedFiles: string[]) => {
    const report = captureScreenshots(ctx, { ...input, changedFiles, changeAsPatch: patch, signal: controller.signal, ...(warmAfter ? { warmAfter } : {}) });
    // Awaited by ready() or cancel(); meanwhile a rejection (only a cancel) is not unhandled.
    report.catch(() => undefined);
    return report;
  };
  // Without pages from the request, the configured routes decide; "detect" needs the changed files first.
  const knownUpFront = Boolean(input.routes?.length) || input.config.routes.mode === "fixed";
  let report = knownUpFront ? start([]) : null;
  const finished = () => ctx.signal.removeEventListener("abort", stop);

  return {
    async ready(diff) {
      providePatch(diff.patch);
      report ??= start(diff.files);
      try {
        return await report;
      } finally {
        finished();
      }
    },
    async cancel() {
      stop();
      withdrawPatch(new AppError("cancelled", "Cancelled."));
      await report?.catch(() => undefined);
      finished();
    },
    keepAppForNextChange() {
      if (ctx.signal.aborted) return;
      warmPreviews?.keep(key, (poolId, signal) => makeWarmPreview(ctx.deps.driver, recipe, poolId, signal));
    },
  };
}
