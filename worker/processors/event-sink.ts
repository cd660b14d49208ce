// Serializes one attempt's events: they are redacted, written to Postgres in order (one at a time, so
// seq follows emit order) and published. Callers may fire and forget (stream deltas); a write error is
// rethrown by the next awaited emit or by flush(), so it can never be lost silently.
import type { EventBody } from "@/lib/events";
import type { Redactor } from "@/lib/redact";
import { appendEvent } from "@/lib/timeline/append-event";
import type { AttemptRef } from "@/lib/tasks/attempt-status";

export type EventSink = { emit(body: EventBody): Promise<void>; flush(): Promise<void> };

export function createEventSink(ref: AttemptRef, redactor: Redactor): EventSink {
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  // Consecutive text deltas waiting to be written are merged into one event.
  let pendingDelta: { text: string } | null = null;

  function write(body: EventBody): Promise<void> {
    chain = chain.then(async () => {
      if (failure) return;
      try {
        await appendEvent(ref, redactBody(body, redactor));
      } catch (error) {
        failure = error;
      }
    });
    return chain;
  }

  async function settle(): Promise<void> {
    await chain;
    if (failure) throw failure;
  }

  return {
    emit(body) {
      if (body.type === "message.delta") {
        if (pendingDelta) {
          pendingDelta.text += body.payload.text;
          return settle();
        }
        const delta = { text: body.payload.text };
        pendingDelta = delta;
        chain = chain.then(() => {
          pendingDelta = null;
        });
        write({ type: "message.delta", payload: delta });
        return settle();
      }
      write(body);
      return settle();
    },
    flush: settle,
  };
}

function redactBody(body: EventBody, redactor: Redactor): EventBody {
  return JSON.parse(redactor.redact(JSON.stringify(body))) as EventBody;
}
