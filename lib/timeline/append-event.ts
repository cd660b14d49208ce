// Appends one event to an attempt's log, then publishes it for live viewers. Postgres first: a viewer
// that misses the Redis message finds the event on replay, never the other way round. A status change
// stores its event in the same transaction as the attempt's new status (lib/tasks/attempt-status.ts).
import { db, type Prisma } from "@/lib/db";
import { eventBodySchema, eventChannel, type EventBody, type StoredEvent } from "@/lib/events";
import { redisPublisher } from "@/lib/queue/producer";

type InsertedRow = { id: bigint; seq: number; createdAt: Date };

export async function appendEvent(target: { attemptId: string; taskId: string }, body: EventBody): Promise<StoredEvent> {
  const event = await retryOnSeqConflict(() => insertEvent(db(), target.attemptId, body));
  await publishEvent(target.taskId, event);
  return event;
}

/** Stores an event with the client given (a transaction's, to commit it with other writes); publish it after. */
export async function insertEvent(client: Pick<Prisma.TransactionClient, "$queryRaw">, attemptId: string, body: EventBody): Promise<StoredEvent> {
  const parsed = withoutNul(eventBodySchema.parse(body));
  // seq = max + 1 in one statement; the unique (attemptId, seq) index turns a rare race into a retry.
  const rows = await client.$queryRaw<InsertedRow[]>`
    INSERT INTO "Event" ("attemptId", "seq", "type", "payload")
    SELECT ${attemptId}, COALESCE(MAX("seq"), 0) + 1, ${parsed.type}, ${JSON.stringify(parsed.payload)}::jsonb
    FROM "Event" WHERE "attemptId" = ${attemptId}
    RETURNING "id", "seq", "createdAt"`;
  const row = rows[0];
  if (!row) throw new Error("event insert returned no row");
  return { ...parsed, id: row.id.toString(), attemptId, seq: row.seq, createdAt: row.createdAt.toISOString() };
}

/** For live viewers. A dead Redis must not fail the attempt: the event is stored and replays from Postgres. */
export async function publishEvent(taskId: string, event: StoredEvent): Promise<void> {
  await redisPublisher()
    .publish(eventChannel(taskId), JSON.stringify(event))
    .catch(() => undefined);
}

/** Runs `write` again when two events of one attempt took the same seq (a transaction cannot retry inside). */
export async function retryOnSeqConflict<T>(write: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await write();
    } catch (error) {
      if (tries < 5 && String(error).includes("Event_attemptId_seq_key")) continue;
      throw error;
    }
  }
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
