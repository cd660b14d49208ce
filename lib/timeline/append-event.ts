// Appends one event to an attempt's log, then publishes it for live viewers. Postgres first: a viewer
// that misses the Redis message finds the event on replay, never the other way round.
import { db } from "@/lib/db";
import { eventBodySchema, eventChannel, type EventBody, type StoredEvent } from "@/lib/events";
import { redisPublisher } from "@/lib/queue/producer";

type InsertedRow = { id: bigint; seq: number; createdAt: Date };

export async function appendEvent(target: { attemptId: string; taskId: string }, body: EventBody): Promise<StoredEvent> {
  const parsed = withoutNul(eventBodySchema.parse(body));
  const row = await insertWithNextSeq(target.attemptId, parsed);
  const event: StoredEvent = {
    ...parsed,
    id: row.id.toString(),
    attemptId: target.attemptId,
    seq: row.seq,
    createdAt: row.createdAt.toISOString(),
  };
  // A dead Redis must not fail the attempt: the event is stored and will be replayed from Postgres.
  await redisPublisher()
    .publish(eventChannel(target.taskId), JSON.stringify(event))
    .catch(() => undefined);
  return event;
}

/**
 * PostgreSQL cannot store U+0000 in text or jsonb, and commands do print NUL bytes (binary files,
 * /dev/zero); they are shown as U+FFFD instead of failing the attempt.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === "string") return (value.includes("\0") ? value.replaceAll("\0", "\uFFFD") : value) as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutNul(item)])) as T;
  return value;
}

async function insertWithNextSeq(attemptId: string, body: EventBody): Promise<InsertedRow> {
  // seq = max + 1 in one statement; the unique (attemptId, seq) index turns a rare race into a retry.
  for (let tries = 0; ; tries++) {
    try {
      const rows = await db().$queryRaw<InsertedRow[]>`
        INSERT INTO "Event" ("attemptId", "seq", "type", "payload")
        SELECT ${attemptId}, COALESCE(MAX("seq"), 0) + 1, ${body.type}, ${JSON.stringify(body.payload)}::jsonb
        FROM "Event" WHERE "attemptId" = ${attemptId}
        RETURNING "id", "seq", "createdAt"`;
      const row = rows[0];
      if (!row) throw new Error("event insert returned no row");
      return row;
    } catch (error) {
      if (tries < 5 && String(error).includes("Event_attemptId_seq_key")) continue;
      throw error;
    }
  }
}
