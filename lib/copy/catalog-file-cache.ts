// What each file contributed to the last catalog of a repository, keyed by path and content, so the next
// commit's catalog parses only the files that changed. The worker keeps one per environment
// (worker/copy/catalog-processor.ts); a catalog built without one parses everything, with the same result.
import { createHash } from "node:crypto";

export type CatalogFileCache<T> = {
  /** The cached value for this file's content, or what `compute` returns (then cached). */
  get(path: string, content: string, compute: () => T): T;
  /** Forgets every file not read since the last call: the cache holds one commit's files. */
  keepOnlyUsed(): void;
  readonly stats: { hits: number; misses: number };
};

export function createCatalogFileCache<T>(): CatalogFileCache<T> {
  let entries = new Map<string, T>();
  let used = new Map<string, T>();
  const stats = { hits: 0, misses: 0 };
  return {
    get(path, content, compute) {
      const key = `${path}\u0000${createHash("sha1").update(content).digest("base64")}`;
      let value = used.get(key) ?? entries.get(key);
      if (value === undefined) {
        stats.misses++;
        value = compute();
      } else stats.hits++;
      used.set(key, value);
      return value;
    },
    keepOnlyUsed() {
      entries = used;
      used = new Map();
    },
    stats,
  };
}
