// Fan-out of live events inside one web process: one Redis subscriber connection, shared by every
// open SSE stream, subscribed to a task's channel while at least one viewer watches it.
import type { Redis } from "ioredis";
import { sharedEnv } from "@/lib/env";
import { eventChannel, storedEventSchema, type StoredEvent } from "@/lib/events";
import { createRedis } from "@/lib/queue/connection";

type Listener = (event: StoredEvent) => void;

let subscriber: Redis | undefined;
const listeners = new Map<string, Set<Listener>>();

function connection(): Redis {
  if (subscriber) return subscriber;
  subscriber = createRedis(sharedEnv().REDIS_URL, "worker");
  // Reconnects on its own (outages are reported by createRedis); viewers fall back to replay on reconnect.
  subscriber.on("message", (channel, raw) => {
    const set = listeners.get(channel);
    if (!set) return;
    let parsed: StoredEvent;
    try {
      parsed = storedEventSchema.parse(JSON.parse(raw));
    } catch {
      return;
    }
    for (const listener of set) listener(parsed);
  });
  return subscriber;
}

/** Starts delivering a task's live events to `listener`; resolves once the subscription is active. */
export async function subscribeTaskEvents(taskId: string, listener: Listener): Promise<() => void> {
  const channel = eventChannel(taskId);
  let set = listeners.get(channel);
  if (!set) {
    set = new Set();
    listeners.set(channel, set);
  }
  set.add(listener);
  await connection().subscribe(channel);
  return () => {
    const current = listeners.get(channel);
    if (!current) return;
    current.delete(listener);
    if (current.size === 0) {
      listeners.delete(channel);
      void connection()
        .unsubscribe(channel)
        .catch(() => undefined);
    }
  };
}
