// Makes the app a warm preview keeps running (warm-previews.ts): a "preview-base" sandbox like any
// attempt's, on a preview network of its own (internal: no route out), checked out at the commit, with
// the app installed, started and answering. Everything it makes carries the pool id as its attempt id and
// the warm label, so removing it is `driver.destroy(poolId)` and the reaper leaves it to its worker.
import { createHash } from "node:crypto";
import type { PreviewConfig } from "@/lib/environments/preview-config";
import { loadWorkspace } from "@/worker/repos/load-workspace";
import type { CacheVolumes, SandboxDriver, SandboxSpec } from "@/worker/sandbox/driver";
import { startPreview } from "./preview-server";
import type { WarmPreview } from "./warm-previews";

export type WarmPreviewRecipe = {
  environmentId: string;
  sandbox: Pick<SandboxSpec, "instanceId" | "workerId" | "image" | "limits"> & { env: Record<string, string> };
  /** The setup cache the checkout is filled from (installed dependencies); null without setup. */
  baseCache: CacheVolumes | null;
  config: PreviewConfig;
  base: { mirrorPath: string; commit: string; branch: string; gitTimeoutSec: number };
};

/** Everything the running app depends on: a different value is a different app. */
export function warmPreviewKey(recipe: WarmPreviewRecipe): string {
  const { environmentId, sandbox, baseCache, config, base } = recipe;
  const canonical = JSON.stringify([
    environmentId,
    base.commit,
    [config.installCommand ?? null, config.startCommand, config.port, config.readinessPath],
    [sandbox.image, sandbox.limits.memoryBytes, sandbox.limits.nanoCpus],
    Object.entries(sandbox.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    baseCache ? [baseCache.workspace, baseCache.home] : null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** How long the labels say a warm preview may live; the reaper goes by its worker's heartbeat. */
const WARM_PREVIEW_EXPIRES_MS = 24 * 3600_000;

export async function makeWarmPreview(
  driver: SandboxDriver,
  recipe: WarmPreviewRecipe,
  poolId: string,
  signal: AbortSignal,
): Promise<Omit<WarmPreview, "poolId" | "key">> {
  const spec = {
    ...recipe.sandbox,
    attemptId: poolId,
    taskId: poolId,
    expiresAt: new Date(Date.now() + WARM_PREVIEW_EXPIRES_MS),
    warm: true,
  };
  const network = await driver.ensureNetwork(spec);
  const handle = await driver.ensure({ ...spec, role: "preview-base", network, ...(recipe.baseCache ? { restoreFrom: recipe.baseCache } : {}) });
  await loadWorkspace(driver, handle, {
    mirrorPath: recipe.base.mirrorPath,
    baseCommit: recipe.base.commit,
    branch: recipe.base.branch,
    timeoutSec: recipe.base.gitTimeoutSec,
  });
  const preview = await startPreview(driver, handle, { config: recipe.config, network, signal });
  return { handle, network, preview };
}
