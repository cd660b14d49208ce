// Which bare mirrors to remove so the mirrors of one worker host stay within their budget: those unused
// for longer than the TTL, then the least recently used until the rest fits. A mirror used more recently
// than `minIdleMs` is never chosen, whatever the budget: an attempt may still read it (the "before"
// preview checks out the base commit from the mirror near the attempt's end), so the budget is a target
// that recently used mirrors may exceed.
export type MirrorUsage = { path: string; lastUsedMs: number; bytes: number };
export type MirrorPrunePolicy = { ttlMs: number; budgetBytes: number; minIdleMs: number };

export function mirrorsToRemove(mirrors: readonly MirrorUsage[], policy: MirrorPrunePolicy, now: number): MirrorUsage[] {
  const idle = (mirror: MirrorUsage) => now - mirror.lastUsedMs > policy.minIdleMs;
  const chosen = mirrors.filter((mirror) => idle(mirror) && now - mirror.lastUsedMs > policy.ttlMs);
  let total = mirrors.reduce((sum, mirror) => sum + mirror.bytes, 0) - chosen.reduce((sum, mirror) => sum + mirror.bytes, 0);
  const leastRecentFirst = mirrors.filter((mirror) => idle(mirror) && !chosen.includes(mirror)).sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  for (const mirror of leastRecentFirst) {
    if (total <= policy.budgetBytes) break;
    chosen.push(mirror);
    total -= mirror.bytes;
  }
  return chosen;
}
