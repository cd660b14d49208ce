import { describe, expect, it } from "vitest";
import { mirrorsToRemove, type MirrorUsage } from "./prune-mirrors";

const HOUR = 3600_000;
const now = 1_000 * HOUR;
const mirror = (name: string, hoursAgo: number, bytes: number): MirrorUsage => ({ path: name, lastUsedMs: now - hoursAgo * HOUR, bytes });
const names = (list: MirrorUsage[]) => list.map((entry) => entry.path);

describe("mirrorsToRemove", () => {
  const policy = { ttlMs: 24 * HOUR, budgetBytes: 100, minIdleMs: 2 * HOUR };

  it("removes mirrors unused for longer than the TTL even within the budget", () => {
    expect(names(mirrorsToRemove([mirror("old", 30, 1), mirror("fresh", 3, 1)], policy, now))).toEqual(["old"]);
  });

  it("past the budget, removes the least recently used first until the rest fits", () => {
    const list = [mirror("a", 5, 60), mirror("b", 10, 60), mirror("c", 4, 60)];
    expect(names(mirrorsToRemove(list, policy, now))).toEqual(["b", "a"]);
  });

  it("never removes a mirror used more recently than the minimum idle time, even past the budget", () => {
    const list = [mirror("busy", 1, 500), mirror("idle", 3, 10)];
    expect(names(mirrorsToRemove(list, policy, now))).toEqual(["idle"]);
    expect(names(mirrorsToRemove([mirror("busy", 1, 500)], { ...policy, ttlMs: 0 }, now))).toEqual([]);
  });

  it("keeps everything within the budget and the TTL", () => {
    expect(mirrorsToRemove([mirror("a", 5, 40), mirror("b", 6, 40)], policy, now)).toEqual([]);
  });
});
