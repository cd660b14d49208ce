// A copy change's before/after pictures, started as early as their pages are known: a copy request carries
// the pages its texts were seen on, so both preview sandboxes are made and checked out (and the kept "before"
// pictures read) while the edits are still being applied; only the "after" app waits for the patch. For an
// app that shows edits live, both sides use the app the worker kept running at the base commit instead
// (kept-app.ts), and the attempt asks for the next one once it is done.
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import type { PreviewConfig } from "@/lib/environments/preview-config";
import { AppError } from "@/lib/errors";
import type { CacheVolumes } from "@/worker/sandbox/driver";
import type { WarmPreview } from "@/worker/verify/warm-previews";
import type { AttemptContext } from "./attempt-context";
import { captureScreenshots } from "./attempt-stages";
import { keepAppForNextChange, keptAppOf } from "./kept-app";

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

  const kept = keptAppOf(ctx, { config: input.config, mirrorPath: input.mirrorPath, commit: input.baseCommit, setupCache: input.setupCache });
  const warmPreviews = ctx.deps.warmPreviews;
  const keptApp =
    kept && warmPreviews
      ? { take: (signal: AbortSignal) => warmPreviews.take(kept.key, signal), discard: (preview: WarmPreview) => warmPreviews.discard(preview) }
      : undefined;

  const start = (changedFiles: string[]) => {
    const report = captureScreenshots(ctx, { ...input, changedFiles, changeAsPatch: patch, signal: controller.signal, ...(keptApp ? { keptApp } : {}) });
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
      keepAppForNextChange(ctx, kept);
    },
  };
}
