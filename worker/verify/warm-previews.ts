// Apps kept running at a branch head, so the next copy change on it is previewed without installing and
// starting the app again. Only for apps whose preview config says they show edited files on the next page
// load (`servesEditsLive`: a server that reads its files on every request): the change's patch is applied
// to the running app's checkout and the "after" pictures are taken at once.
//
// A warm preview is made after a copy attempt or page pictures on the same app (the commit, commands and
// sandbox it needs are known then) and goes to exactly one later attempt, which removes it: never reused,
// like a warm agent sandbox. This module keeps the books; warm-preview-sandbox.ts makes an app, and the
// driver's destroy removes it.
import { randomBytes } from "node:crypto";
import type { SandboxHandle } from "@/worker/sandbox/driver";
import type { RunningPreview } from "./preview-server";

export type WarmPreview = { poolId: string; key: string; handle: SandboxHandle; network: string; preview: RunningPreview };

export type WarmPreviewsOptions = {
  /** How many apps to keep running at most (least recently asked for go first); 0 turns them off. */
  size: number;
  /** A kept app nobody took for this long is removed. */
  idleMs: number;
  /** Removes everything a pool id labels (container, volumes, network); missing parts are not an error. */
  remove(poolId: string): Promise<void>;
  onError(error: unknown): void;
};

export type WarmPreviews = {
  /**
   * The app kept for `key`, now the caller's (it calls `discard` when done); waits for one still being
   * made. Null when none is kept or making it failed: the caller starts its own.
   */
  take(key: string, signal: AbortSignal): Promise<WarmPreview | null>;
  /** Makes an app for `key` in the background, unless one is kept or being made already. */
  keep(key: string, make: (poolId: string, signal: AbortSignal) => Promise<Omit<WarmPreview, "poolId" | "key">>): void;
  /** A taken app is done with: removed in the background. */
  discard(preview: WarmPreview): void;
  /** Whether an attempt-id label is one of these apps' (made, being made, taken or being removed). */
  holds(labelAttemptId: string): boolean;
  /** Stops making and removes every app (the worker's shutdown); taken ones are removed by their takers. */
  drain(): Promise<void>;
  /** Every app being made is made (or failed) and every removal started has ended. */
  settled(): Promise<void>;
  readyKeys(): string[];
};

const POOL_ID_PREFIX = "warmpreview-";

type Entry = {
  poolId: string;
  key: string;
  made: Promise<WarmPreview | null>;
  /** kept: in the books; taken: an attempt's; evicted: removed once made. */
  state: "kept" | "taken" | "evicted";
  ready: boolean;
  expiry: NodeJS.Timeout | null;
};

export function createWarmPreviews(options: WarmPreviewsOptions): WarmPreviews {
  // Kept apps, least recently kept first; at most one per key.
  const entries: Entry[] = [];
  // Pool ids that exist in Docker but are no longer in `entries`: taken, or evicted and not yet removed.
  const elsewhere = new Set<string>();
  const removals = new Set<Promise<void>>();
  let draining = false;
  // Stops apps being made at the worker's shutdown.
  const stopping = new AbortController();

  function removeLater(poolId: string): void {
    elsewhere.add(poolId);
    const removal = options
      .remove(poolId)
      .catch(options.onError)
      .finally(() => {
        elsewhere.delete(poolId);
        removals.delete(removal);
      });
    removals.add(removal);
  }

  function leave(entry: Entry, state: "taken" | "evicted"): void {
    const index = entries.indexOf(entry);
    if (index >= 0) entries.splice(index, 1);
    if (entry.expiry) clearTimeout(entry.expiry);
    entry.state = state;
    elsewhere.add(entry.poolId);
  }

  /** An app leaves the books unused: removed once made (making is not interrupted halfway). */
  function evict(entry: Entry): Promise<void> {
    leave(entry, "evicted");
    return entry.made.then(() => removeLater(entry.poolId));
  }

  return {
    async take(key, signal) {
      const entry = entries.find((candidate) => candidate.key === key);
      if (!entry || signal.aborted) return null;
      // Taken while being made: it is this caller's the moment it is ready (no one else can get it).
      leave(entry, "taken");
      let onAbort: () => void = () => undefined;
      const aborted = new Promise<"aborted">((resolve) => {
        onAbort = () => resolve("aborted");
        signal.addEventListener("abort", onAbort, { once: true });
      });
      const outcome = await Promise.race([entry.made, aborted]);
      signal.removeEventListener("abort", onAbort);
      if (outcome !== "aborted") return outcome;
      // The caller stopped waiting: the app is removed once made.
      void entry.made.then((preview) => preview && removeLater(preview.poolId));
      return null;
    },
    keep(key, make) {
      if (options.size <= 0 || draining || entries.some((entry) => entry.key === key)) return;
      const poolId = `${POOL_ID_PREFIX}${randomBytes(6).toString("hex")}`;
      const entry: Entry = { poolId, key, made: Promise.resolve(null), state: "kept", ready: false, expiry: null };
      entry.made = make(poolId, stopping.signal).then(
        (parts) => {
          if (entry.state === "kept") {
            entry.ready = true;
            entry.expiry = setTimeout(() => void evict(entry), options.idleMs);
            entry.expiry.unref();
          }
          return { ...parts, poolId, key };
        },
        (error: unknown) => {
          // Stopped by drain(): not a failure anyone needs to hear about.
          if (!stopping.signal.aborted) options.onError(error);
          // Whatever part of it exists is removed (an evicted one is removed by evict); a taker waiting for
          // it gets null and starts its own app.
          if (entry.state !== "evicted") {
            if (entry.state === "kept") leave(entry, "evicted");
            removeLater(poolId);
          }
          return null;
        },
      );
      entries.push(entry);
      while (entries.length > options.size) {
        const oldest = entries[0];
        if (oldest) void evict(oldest);
      }
    },
    discard(preview) {
      removeLater(preview.poolId);
    },
    holds(labelAttemptId) {
      return elsewhere.has(labelAttemptId) || entries.some((entry) => entry.poolId === labelAttemptId);
    },
    async drain() {
      draining = true;
      stopping.abort();
      await Promise.all([...entries].map(evict));
      while (removals.size > 0) await Promise.all(removals);
    },
    async settled() {
      await Promise.all(entries.map((entry) => entry.made));
      while (removals.size > 0) await Promise.all(removals);
    },
    readyKeys() {
      return entries.filter((entry) => entry.ready).map((entry) => entry.key);
    },
  };
}
