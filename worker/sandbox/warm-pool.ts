// Agent sandboxes made ahead of time, so a task does not wait for Docker to create and start one. The
// pool only keeps the books and decides when to make more; the Docker driver makes and removes them
// (docs/security.md §2: it is the only module that creates containers) from the same container template
// as any other sandbox. A warm sandbox goes to one attempt and is removed with it: never reused.
import { randomBytes } from "node:crypto";
import type { CacheVolumes } from "./driver";

/** A ready sandbox: a started, networkless agent container with fresh, empty workspace and home volumes. */
export type WarmSandbox = { poolId: string; image: string; containerId: string; name: string; volumes: CacheVolumes };

export type WarmPoolOptions = {
  /** How many ready sandboxes to keep; 0 turns the pool off. */
  size: number;
  image: string;
  /** Creates and starts one sandbox labelled with `poolId` as its attempt id. */
  make(poolId: string): Promise<WarmSandbox>;
  /** Removes a sandbox's container and volumes (missing ones are not an error). */
  remove(sandbox: WarmSandbox): Promise<void>;
  onError(error: unknown): void;
};

export type WarmPool = {
  /**
   * A ready sandbox for `image`, now the caller's; null when none is ready (the caller makes one as before).
   * It does not refill: making the next sandbox is a container create + start that would compete with the
   * taker for the Docker engine while it loads its workspace. The taker calls `fill()` once it has.
   */
  take(image: string): WarmSandbox | null;
  /**
   * Whether an attempt-id label belongs to the pool: a sandbox being made or ready, or one taken and not yet
   * handed back with `forget`. The reaper leaves those alone.
   */
  holds(labelAttemptId: string): boolean;
  /** A taken sandbox is gone (its attempt ended and removed it): the pool stops holding its id. */
  forget(poolId: string): void;
  /** Makes sandboxes until `size` are ready or being made. Failures are reported and retried on the next call. */
  fill(): Promise<void>;
  /** Stops filling and removes every ready sandbox (taken ones belong to their attempts). */
  drain(): Promise<void>;
  readyCount(): number;
};

const POOL_ID_PREFIX = "warm-";

export function newPoolId(): string {
  return `${POOL_ID_PREFIX}${randomBytes(6).toString("hex")}`;
}

export function createWarmPool(options: WarmPoolOptions): WarmPool {
  const ready: WarmSandbox[] = [];
  const making = new Set<string>();
  const taken = new Set<string>();
  let filling: Promise<void> | null = null;
  let draining = false;

  // `filling` is cleared in the same synchronous step as the loop's last check, so a take() that comes after
  // that check always starts a new loop rather than joining one that is about to end.
  async function fillLoop(): Promise<void> {
    // Past this, `filling` holds this loop's promise: fill() assigned it before the first check below.
    await Promise.resolve();
    while (!draining && ready.length + making.size < options.size) {
      const poolId = newPoolId();
      making.add(poolId);
      try {
        const sandbox = await options.make(poolId);
        if (draining) await options.remove(sandbox);
        else ready.push(sandbox);
      } catch (error) {
        // Whatever part of it exists carries the pool id; once the pool stops holding it the reaper removes it.
        options.onError(error);
        making.delete(poolId);
        filling = null;
        return;
      }
      making.delete(poolId);
    }
    filling = null;
  }

  const pool: WarmPool = {
    take(image) {
      const index = ready.findIndex((sandbox) => sandbox.image === image);
      if (index < 0) return null;
      const [sandbox] = ready.splice(index, 1);
      if (!sandbox) return null;
      taken.add(sandbox.poolId);
      return sandbox;
    },
    holds(labelAttemptId) {
      return making.has(labelAttemptId) || taken.has(labelAttemptId) || ready.some((sandbox) => sandbox.poolId === labelAttemptId);
    },
    forget(poolId) {
      taken.delete(poolId);
    },
    fill() {
      if (options.size <= 0 || draining) return Promise.resolve();
      filling ??= fillLoop();
      return filling;
    },
    async drain() {
      draining = true;
      await filling;
      const leftover = ready.splice(0);
      for (const sandbox of leftover) await options.remove(sandbox).catch(options.onError);
    },
    readyCount() {
      return ready.length;
    },
  };
  return pool;
}
