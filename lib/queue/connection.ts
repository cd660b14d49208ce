// Redis connections. BullMQ workers need maxRetriesPerRequest: null (blocking commands); producers and
// publishers fail fast instead so an HTTP request never hangs on a dead Redis.
import { Redis } from "ioredis";

export function createRedis(url: string, purpose: "worker" | "client"): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: purpose === "worker" ? null : 2,
    enableOfflineQueue: purpose === "worker",
    lazyConnect: false,
    connectTimeout: 5_000,
  });
}
