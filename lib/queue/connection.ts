// Redis connections. BullMQ workers need maxRetriesPerRequest: null (blocking commands); producers and
// publishers give up after a few retries instead, so an HTTP request never hangs on a dead Redis.
// Commands issued before the first connect are queued (offline queue) rather than refused.
import { Redis } from "ioredis";

export function createRedis(url: string, purpose: "worker" | "client"): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: purpose === "worker" ? null : 2,
    lazyConnect: false,
    connectTimeout: 5_000,
  });
}
