// Cancel requests from the web arrive over Redis pub/sub (lib/tasks/cancel-task.ts); the worker running
// the attempt aborts it, which stops the agent and removes the sandbox. Attempts this worker does not run
// are ignored: every worker gets every message.
import type { Redis } from "ioredis";
import { CONTROL_CHANNEL, controlMessageSchema } from "@/lib/queue/contracts";

/** `subscriber` must be a connection used for nothing else (a subscribed connection cannot run commands). */
export async function listenForControl(subscriber: Redis, active: ReadonlyMap<string, AbortController>): Promise<void> {
  subscriber.on("message", (channel, raw) => {
    if (channel !== CONTROL_CHANNEL) return;
    const parsed = controlMessageSchema.safeParse(safeJson(raw));
    if (!parsed.success) return;
    active.get(parsed.data.attemptId)?.abort();
  });
  await subscriber.subscribe(CONTROL_CHANNEL);
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
