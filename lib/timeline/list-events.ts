// Replays a task's events from Postgres, after a cursor (the SSE Last-Event-ID), in commit order.
import { db } from "@/lib/db";
import { storedEventSchema, type StoredEvent } from "@/lib/events";

export async function listTaskEvents(taskId: string, afterId: bigint, limit = 1000): Promise<StoredEvent[]> {
  const rows = await db().event.findMany({
    where: { id: { gt: afterId }, attempt: { turn: { taskId } } },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, attemptId: true, seq: true, type: true, payload: true, createdAt: true },
  });
  return rows.map((row) =>
    storedEventSchema.parse({
      id: row.id.toString(),
      attemptId: row.attemptId,
      seq: row.seq,
      type: row.type,
      payload: row.payload,
      createdAt: row.createdAt.toISOString(),
    }),
  );
}

/** Parses a Last-Event-ID header; anything that is not a non-negative integer means "from the start". */
export function parseEventCursor(value: string | null | undefined): bigint {
  if (!value || !/^\d{1,19}$/.test(value.trim())) return 0n;
  return BigInt(value.trim());
}
