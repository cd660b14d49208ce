// The warm pool's books (worker/sandbox/warm-pool.ts), with sandboxes that are only records: how many it
// keeps, what it hands out once, what the reaper must leave alone, and how it recovers from a failure.
// Docker itself is exercised by warm-pool.int.test.ts.
import { describe, expect, it } from "vitest";
import { createWarmPool, type WarmSandbox } from "./warm-pool";

function recordingPool(size: number, failNext = { count: 0 }) {
  const made: string[] = [];
  const removed: string[] = [];
  const errors: unknown[] = [];
  const pool = createWarmPool({
    size,
    image: "img",
    make: async (poolId): Promise<WarmSandbox> => {
      if (failNext.count > 0) {
        failNext.count -= 1;
        throw new Error("docker said no");
      }
      made.push(poolId);
      return { poolId, image: "img", containerId: `c-${poolId}`, name: `patchbay-${poolId}`, volumes: { workspace: `ws-${poolId}`, home: `home-${poolId}` } };
    },
    remove: async (sandbox) => {
      removed.push(sandbox.poolId);
    },
    onError: (error) => errors.push(error),
  });
  return { pool, made, removed, errors };
}

describe("warm pool", () => {
  it("fills to its size, hands each sandbox out once, and refills when asked, not when taken", async () => {
    const { pool, made } = recordingPool(2);
    await pool.fill();
    expect(pool.readyCount()).toBe(2);
    expect(made).toHaveLength(2);

    const first = pool.take("img");
    const second = pool.take("img");
    expect(first?.poolId).not.toBe(second?.poolId);
    // Taking makes nothing: the taker is still loading its workspace (the attempt calls fill() after).
    await Promise.resolve();
    expect(made).toHaveLength(2);
    expect(pool.take("img")).toBeNull();
    await pool.fill();
    expect(pool.readyCount()).toBe(2);
    expect(made).toHaveLength(4);
    const third = pool.take("img");
    expect([first?.poolId, second?.poolId]).not.toContain(third?.poolId);
  });

  it("has nothing for another image, and nothing at all when its size is 0", async () => {
    const { pool } = recordingPool(1);
    await pool.fill();
    expect(pool.take("other")).toBeNull();
    const off = recordingPool(0);
    await off.pool.fill();
    expect(off.made).toHaveLength(0);
    expect(off.pool.take("img")).toBeNull();
  });

  it("holds ready and taken sandboxes until their attempt forgets them", async () => {
    const { pool } = recordingPool(1);
    await pool.fill();
    const taken = pool.take("img");
    if (!taken) throw new Error("nothing ready");
    expect(pool.holds(taken.poolId)).toBe(true);
    await pool.fill();
    const [ready] = [pool.take("img")];
    if (!ready) throw new Error("nothing refilled");
    pool.forget(taken.poolId);
    expect(pool.holds(taken.poolId)).toBe(false);
    expect(pool.holds(ready.poolId)).toBe(true);
    expect(pool.holds("warm-unknown")).toBe(false);
  });

  it("reports a failure, stops, and fills on the next call", async () => {
    const failing = { count: 1 };
    const { pool, errors } = recordingPool(2, failing);
    await pool.fill();
    expect(errors).toHaveLength(1);
    expect(pool.readyCount()).toBe(0);
    await pool.fill();
    expect(pool.readyCount()).toBe(2);
  });

  it("drains: the ready ones are removed, taken ones are left to their attempts, and nothing more is made", async () => {
    const { pool, removed, made } = recordingPool(2);
    await pool.fill();
    const taken = pool.take("img");
    const ready = pool.readyCount();
    expect(ready).toBe(1);
    const madeBefore = made.length;
    const refill = pool.fill();
    await pool.drain();
    await refill;
    // The refill asked for just before sees the drain and makes nothing.
    expect(made).toHaveLength(madeBefore);
    expect(removed).toHaveLength(ready);
    expect(removed).not.toContain(taken?.poolId);
    expect(pool.readyCount()).toBe(0);
    const before = made.length;
    await pool.fill();
    expect(made).toHaveLength(before);
  });
});
