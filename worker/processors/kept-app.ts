// The app a worker keeps running at a commit for the next copy change (worker/verify/warm-previews.ts):
// what it is made from, as an attempt of the environment knows it, and asking for it once the attempt is
// done. Only for previews that show edits live (servesEditsLive).
import type { PreviewConfig } from "@/lib/environments/preview-config";
import type { CacheVolumes } from "@/worker/sandbox/driver";
import { makeWarmPreview, type WarmPreviewRecipe, warmPreviewKey } from "@/worker/verify/warm-preview-sandbox";
import type { AttemptContext } from "./attempt-context";
import { phaseEnv } from "./attempt-stages";

export type KeptApp = { key: string; recipe: WarmPreviewRecipe };

/** The kept app of `commit` an attempt could use or leave behind; null when this preview gets none. */
export function keptAppOf(
  ctx: AttemptContext,
  input: { config: PreviewConfig; mirrorPath: string; commit: string; setupCache: CacheVolumes | null },
): KeptApp | null {
  const { deps } = ctx;
  if (!input.config.servesEditsLive || !deps.warmPreviews) return null;
  const recipe: WarmPreviewRecipe = {
    environmentId: ctx.task.environment.id,
    // The same sandbox the attempt's own previews get (sandboxBase and phaseEnv), so the key matches theirs.
    sandbox: { instanceId: deps.instanceId, workerId: deps.workerId, image: deps.sandboxImage, limits: deps.limits, env: phaseEnv(ctx) },
    baseCache: input.setupCache,
    config: input.config,
    base: { mirrorPath: input.mirrorPath, commit: input.commit, branch: ctx.task.branch, gitTimeoutSec: deps.gitTimeoutSec },
  };
  return { key: warmPreviewKey(recipe), recipe };
}

/** The attempt is done: the worker makes the app in the background (not while the attempt still works). */
export function keepAppForNextChange(ctx: AttemptContext, app: KeptApp | null): void {
  if (!app || ctx.signal.aborted) return;
  const driver = ctx.deps.driver;
  ctx.deps.warmPreviews?.keep(app.key, (poolId, signal) => makeWarmPreview(driver, app.recipe, poolId, signal));
}
