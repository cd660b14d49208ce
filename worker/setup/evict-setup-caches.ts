// Keeps setup caches on this host within their budget: caches unused for longer than the TTL go, then
// the least recently used until the rest fits; volumes with no row (after "Reset cache", or left by a
// crash) go too. Runs after each new cache and with the reaper.
import { deleteSetupCache, setupCacheVolumeNames, setupCachesToEvict } from "@/lib/environments/setup-cache-store";
import type { SandboxDriver } from "@/worker/sandbox/driver";
import { LABEL_INSTANCE, LABEL_SETUP_CACHE } from "@/worker/sandbox/labels";

export type EvictDeps = {
  driver: SandboxDriver;
  hostName: string;
  instanceId: string;
  setupCacheTtlMs: number;
  setupCacheBudgetBytes: number;
  active: ReadonlyMap<string, unknown>;
};

export async function evictSetupCaches(deps: EvictDeps): Promise<string[]> {
  const removed: string[] = [];
  for (const row of await setupCachesToEvict(deps.hostName, deps.setupCacheTtlMs, deps.setupCacheBudgetBytes)) {
    await deleteSetupCache(row.id);
    const names = Object.values((row.volumes ?? {}) as Record<string, string>);
    removed.push(...(await removeQuietly(deps.driver, names)));
  }
  // A cache being saved right now has volumes before its row: only sweep when this worker is idle.
  if (deps.active.size === 0) {
    const known = await setupCacheVolumeNames(deps.hostName);
    const mine = await deps.driver.listVolumes(`${LABEL_INSTANCE}=${deps.instanceId}`);
    const cacheVolumes = new Set(await deps.driver.listVolumes(LABEL_SETUP_CACHE));
    const orphans = mine.filter((name) => cacheVolumes.has(name) && !known.has(name));
    removed.push(...(await removeQuietly(deps.driver, orphans)));
  }
  return removed;
}

/** A volume still mounted (an attempt restoring from it right now) is left for the next round. */
async function removeQuietly(driver: SandboxDriver, names: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) {
    try {
      await driver.removeVolumes([name]);
      removed.push(name);
    } catch {
      // In use: its row is gone, so the idle-time sweep removes it later.
    }
  }
  return removed;
}
