// Replays a task's events from Postgres, after a cursor (the SSE Last-Event-ID), in commit order.
import { db } from "@/lib/db";
import { eventBodySchema, type StoredEvent } from "@/lib/events";

type EventRow = { id: bigint; attemptId: string; seq: number; type: string; payload: unknown; createdAt: Date };

export async function listTaskEvents(taskId: string, afterId: bigint, limit = 1000): Promise<StoredEvent[]> {
  // Per attempt, at most `limit` events after the cursor, each one ordered range of the (attemptId, id)
  // index; then the task's page across its attempts. A plain join read every event of the task's attempts
  // and sorted them on every page, whatever the cursor.
  const rows = await db().$queryRaw<EventRow[]>`
    SELECT e."id", e."attemptId", e."seq", e."type", e."payload", e."createdAt"
    FROM "Attempt" a
    JOIN "Turn" t ON t."id" = a."turnId"
    CROSS JOIN LATERAL (
      SELECT "id", "attemptId", "seq", "type", "payload", "createdAt" FROM "Event"
      WHERE "attemptId" = a."id" AND "id" > ${afterId}
      ORDER BY "id" LIMIT ${limit}
    ) e
    WHERE t."taskId" = ${taskId}
    ORDER BY e."id" LIMIT ${limit}`;
  return rows.map((row) => {
    // The payload is checked against its type's schema; the envelope is built here with the right types.
    const body = eventBodySchema.parse({ type: row.type, payload: row.payload });
    return { ...body, id: row.id.toString(), attemptId: row.attemptId, seq: row.seq, createdAt: row.createdAt.toISOString() };
  });
}

/** Parses a Last-Event-ID header; anything that is not a non-negative integer means "from the start". */
export function parseEventCursor(value: string | null | undefined): bigint {
  if (!value || !/^\d{1,19}$/.test(value.trim())) return 0n;
  return BigInt(value.trim());
}
