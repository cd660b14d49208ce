// Server-Sent Events for one task: replay from Postgres after the client's Last-Event-ID, then tail
// Redis. Live events that arrive during the replay are buffered and de-duplicated by id, so nothing
// is lost or repeated. When the task's latest turn has finished, an `end` event is sent and the stream
// closes (a finished turn of a task with follow-ups does not end it).
import type { StoredEvent } from "@/lib/events";
import { isTaskFinished } from "@/lib/tasks/task-queries";
import { isFinished } from "@/lib/tasks/task-status";
import { listTaskEvents } from "./list-events";
import { subscribeTaskEvents } from "./live-events";

const KEEPALIVE_MS = 15_000;
const SUBSCRIBE_TIMEOUT_MS = 3_000;
// Large pages: each is one query and one SSE chunk, and an event carries at most 8 KB of output.
const REPLAY_PAGE = 2000;
/** A stream closes after this long; the browser's EventSource reconnects with Last-Event-ID, losing nothing. */
export const STREAM_LIFETIME_MS = 30 * 60_000;

export function taskEventStream(
  taskId: string,
  after: bigint,
  abort: AbortSignal,
  options: { lifetimeMs?: number; onClose?: () => void } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  // Set by close() and by the reader cancelling, which can happen while start() still awaits Redis.
  let closed = false;

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let lastId = after;
      let replaying = true;
      const buffered: StoredEvent[] = [];

      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      const end = () => {
        if (closed) return;
        controller.enqueue(encoder.encode("event: end\ndata: {}\n\n"));
        close();
      };
      /** The SSE message for an event not sent yet, or "" (and advances the cursor). */
      const frame = (event: StoredEvent): string => {
        if (closed || BigInt(event.id) <= lastId) return "";
        lastId = BigInt(event.id);
        return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
      };
      // A replayed page goes out as one chunk: one encode and one enqueue per page, not per event.
      const sendPage = (events: StoredEvent[]) => {
        const text = events.map(frame).join("");
        if (text && !closed) controller.enqueue(encoder.encode(text));
      };
      const send = (event: StoredEvent) => {
        const text = frame(event);
        if (!text) return;
        controller.enqueue(encoder.encode(text));
        if (!replaying && event.type === "status" && isFinished(event.payload.status)) {
          void isTaskFinished(taskId).then(
            (finished) => finished && end(),
            () => undefined,
          );
        }
      };

      let live = true;
      const unsubscribe = await withTimeout(
        subscribeTaskEvents(taskId, (event) => (replaying ? buffered.push(event) : send(event))),
        SUBSCRIBE_TIMEOUT_MS,
      ).catch(() => {
        // Redis is unreachable: still replay what Postgres has, then end; EventSource reconnects later.
        live = false;
        return () => {};
      });
      const keepalive = setInterval(() => !closed && controller.enqueue(encoder.encode(": keepalive\n\n")), KEEPALIVE_MS);
      const lifetime = setTimeout(close, options.lifetimeMs ?? STREAM_LIFETIME_MS);
      cleanup = () => {
        clearInterval(keepalive);
        clearTimeout(lifetime);
        unsubscribe();
        options.onClose?.();
      };
      // The reader left while we subscribed: its cancel found nothing to clean up yet.
      if (closed) {
        cleanup();
        return;
      }
      abort.addEventListener("abort", close, { once: true });
      if (abort.aborted) {
        close();
        return;
      }
      controller.enqueue(encoder.encode("retry: 2000\n\n"));

      try {
        for (;;) {
          const page = await listTaskEvents(taskId, lastId, REPLAY_PAGE);
          sendPage(page);
          if (page.length < REPLAY_PAGE || closed) break;
        }
      } catch (error) {
        cleanup();
        controller.error(error);
        return;
      }
      replaying = false;
      buffered.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)).forEach(send);
      // A client that reconnects after the final event gets nothing more: end instead of idling.
      if (!closed && (await isTaskFinished(taskId))) end();
      else if (!live) close();
    },
    cancel() {
      if (closed) return;
      closed = true;
      cleanup();
    },
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
