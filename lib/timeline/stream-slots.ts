// Live timelines (Server-Sent Events) are long-lived connections: each holds a Redis subscription and a
// socket. A person may have this many open at once in one web process (a tab per task is normal, hundreds
// are not), so one account cannot exhaust the server.
import { AppError } from "@/lib/errors";

export const MAX_STREAMS_PER_USER = 16;

const open = new Map<string, number>();

/** Takes a slot for the user's new stream, or refuses with 429; call the returned function once when it ends. */
export function acquireStreamSlot(userId: string, limit = MAX_STREAMS_PER_USER): () => void {
  const count = open.get(userId) ?? 0;
  if (count >= limit) {
    throw new AppError("rate_limited", `You have ${limit} live timelines open already. Close a few tabs and reload this one.`);
  }
  open.set(userId, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const now = (open.get(userId) ?? 1) - 1;
    if (now <= 0) open.delete(userId);
    else open.set(userId, now);
  };
}
