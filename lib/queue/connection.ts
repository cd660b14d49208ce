// Redis connections. BullMQ workers need maxRetriesPerRequest: null (blocking commands); producers and
// publishers give up after a few retries instead, so an HTTP request never hangs on a dead Redis.
// Commands issued before the first connect are queued (offline queue) rather than refused.
import { Redis } from "ioredis";

export function createRedis(url: string, purpose: "worker" | "client"): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: purpose === "worker" ? null : 2,
    lazyConnect: false,
    connectTimeout: 5_000,
  });
  reportOutages(redis);
  return redis;
}

/**
 * ioredis reconnects by itself; without an error listener it prints every failed reconnect with a stack.
 * One line when Redis goes away and one when it is back is what an operator needs.
 */
function reportOutages(redis: Redis): void {
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    console.warn(`Redis at ${redis.options.host}:${redis.options.port} is unreachable (${error.message}); reconnecting.`);
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    console.warn(`Redis at ${redis.options.host}:${redis.options.port} is back.`);
  });
}
