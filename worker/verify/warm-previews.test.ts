// The kept apps' books (worker/verify/warm-previews.ts), with apps that are only records: one per key,
// each handed out once, what the reaper must leave alone, eviction, idle expiry, failures and shutdown.
// Docker itself is exercised by warm-previews.int.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWarmPreviews, type WarmPreview } from "./warm-previews";

type Parts = Omit<WarmPreview, "poolId" | "key">;

function parts(poolId: string): Parts {
  return {
    handle: { attemptId: poolId, role: "preview-base", containerId: `c-${poolId}`, name: `patchbay-${poolId}-preview-base` },
    network: `patchbay-net-${poolId}`,
    preview: { baseUrl: "http://10.0.0.2:4173", origin: "http://10.0.0.2:4173" },
  };
}

/** A make that finishes only when the test says so. */
function gatedMake() {
  const gates: { poolId: string; signal: AbortSignal; finish: () => void; fail: (error: Error) => void }[] = [];
  const make = (poolId: string, signal: AbortSignal) =>
    new Promise<Parts>((resolve, reject) => {
      gates.push({ poolId, signal, finish: () => resolve(parts(poolId)), fail: reject });
    });
  return { gates, make };
}

function recordingPreviews(size = 1, idleMs = 60_000) {
  const removed: string[] = [];
  const errors: unknown[] = [];
  const previews = createWarmPreviews({
    size,
    idleMs,
    remove: async (poolId) => {
      removed.push(poolId);
    },
    onError: (error) => errors.push(error),
  });
  return { previews, removed, errors };
}

const never = new AbortController().signal;

afterEach(() => {
  vi.useRealTimers();
});

describe("warm previews", () => {
  it("keeps one app per key, hands it out once, and removes it when its taker is done", async () => {
    const { previews, removed } = recordingPreviews();
    const { gates, make } = gatedMake();
    previews.keep("k", make);
    previews.keep("k", make);
    expect(gates).toHaveLength(1);
    gates[0]?.finish();
    await previews.settled();
    expect(previews.readyKeys()).toEqual(["k"]);

    const taken = await previews.take("k", never);
    expect(taken?.key).toBe("k");
    expect(taken?.handle.containerId).toBe(`c-${taken?.poolId}`);
    expect(await previews.take("k", never)).toBeNull();
    expect(await previews.take("other", never)).toBeNull();
    // Taken, not yet removed: the reaper must leave it alone.
    expect(previews.holds(taken?.poolId ?? "")).toBe(true);
    if (taken) previews.discard(taken);
    await previews.settled();
    expect(removed).toEqual([taken?.poolId]);
    expect(previews.holds(taken?.poolId ?? "")).toBe(false);
  });

  it("gives a taker the app still being made once it is ready", async () => {
    const { previews } = recordingPreviews();
    const { gates, make } = gatedMake();
    previews.keep("k", make);
    const taking = previews.take("k", never);
    expect(previews.holds(gates[0]?.poolId ?? "")).toBe(true);
    gates[0]?.finish();
    expect((await taking)?.poolId).toBe(gates[0]?.poolId);
    // It was taken while being made: a new one may be kept for the same key.
    previews.keep("k", make);
    expect(gates).toHaveLength(2);
  });

  it("gives null when making failed, and removes what was made of it", async () => {
    const { previews, removed, errors } = recordingPreviews();
    const { gates, make } = gatedMake();
    previews.keep("k", make);
    const taking = previews.take("k", never);
    gates[0]?.fail(new Error("install failed"));
    expect(await taking).toBeNull();
    await previews.settled();
    expect(errors).toHaveLength(1);
    expect(removed).toEqual([gates[0]?.poolId]);

    // Failed with no taker: it leaves the books, so the next change may keep a new one.
    previews.keep("k", make);
    gates[1]?.fail(new Error("again"));
    await previews.settled();
    expect(previews.readyKeys()).toEqual([]);
    expect(removed).toHaveLength(2);
    previews.keep("k", make);
    expect(gates).toHaveLength(3);
  });

  it("a taker that stops waiting gets null, and the app is removed once made", async () => {
    const { previews, removed } = recordingPreviews();
    const { gates, make } = gatedMake();
    previews.keep("k", make);
    const controller = new AbortController();
    const taking = previews.take("k", controller.signal);
    controller.abort();
    expect(await taking).toBeNull();
    expect(removed).toEqual([]);
    gates[0]?.finish();
    await new Promise((resolve) => setImmediate(resolve));
    await previews.settled();
    expect(removed).toEqual([gates[0]?.poolId]);
  });

  it("keeps at most `size` apps: the least recently kept goes, once made", async () => {
    const { previews, removed } = recordingPreviews(2);
    const { gates, make } = gatedMake();
    previews.keep("a", make);
    previews.keep("b", make);
    previews.keep("c", make);
    expect(previews.holds(gates[0]?.poolId ?? "")).toBe(true);
    for (const gate of gates) gate.finish();
    await new Promise((resolve) => setImmediate(resolve));
    await previews.settled();
    expect(removed).toEqual([gates[0]?.poolId]);
    expect(previews.readyKeys()).toEqual(["b", "c"]);
    expect(await previews.take("a", never)).toBeNull();
  });

  it("removes an app nobody took within the idle time", async () => {
    vi.useFakeTimers();
    const { previews, removed } = recordingPreviews(1, 1_000);
    previews.keep("k", async (poolId) => parts(poolId));
    await vi.waitFor(() => expect(previews.readyKeys()).toEqual(["k"]));
    vi.advanceTimersByTime(1_000);
    await vi.waitFor(() => expect(removed).toHaveLength(1));
    expect(previews.readyKeys()).toEqual([]);
    expect(await previews.take("k", never)).toBeNull();
  });

  it("keeps nothing when its size is 0", async () => {
    const { previews } = recordingPreviews(0);
    const { gates, make } = gatedMake();
    previews.keep("k", make);
    expect(gates).toHaveLength(0);
    expect(await previews.take("k", never)).toBeNull();
  });

  it("drains: stops the apps being made, removes every kept one and keeps no more", async () => {
    const { previews, removed, errors } = recordingPreviews(2);
    const { gates, make } = gatedMake();
    previews.keep("a", make);
    previews.keep("b", make);
    gates[0]?.finish();
    await vi.waitFor(() => expect(previews.readyKeys()).toEqual(["a"]));
    const draining = previews.drain();
    // The one still being made is told to stop; it ends (here: fails) and is removed too.
    expect(gates[1]?.signal.aborted).toBe(true);
    gates[1]?.fail(new Error("cancelled"));
    await draining;
    expect(removed.sort()).toEqual([gates[0]?.poolId, gates[1]?.poolId].sort());
    // Stopped on purpose: not reported as a failure.
    expect(errors).toEqual([]);
    previews.keep("c", make);
    expect(gates).toHaveLength(2);
  });
});
