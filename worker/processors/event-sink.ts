// Serializes one attempt's events: they are redacted, written to Postgres in order (one at a time, so
// seq follows emit order) and published. Callers may fire and forget (stream deltas); a write error is
// rethrown by the next awaited emit or by flush(), so it can never be lost silently.
//
// Redaction works on the strings inside a payload (before JSON escaping, so a secret with quotes still
// matches). Streamed text (tool output per call and stream, message deltas) goes through a stream
// redactor that holds back a possible secret prefix until the next chunk or the stream's end, so a
// secret split across two events is caught too.
import type { EventBody } from "@/lib/events";
import { type Redactor, redactDeep } from "@/lib/redact";
import { appendEvent } from "@/lib/timeline/append-event";
import type { AttemptRef } from "@/lib/tasks/attempt-status";

export type EventSink = { emit(body: EventBody): Promise<void>; flush(): Promise<void> };

type TextStream = ReturnType<Redactor["stream"]>;

export function createEventSink(ref: AttemptRef, redactor: Redactor): EventSink {
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const outputStreams = new Map<string, TextStream>();
  let deltaStream: TextStream | null = null;
  // Consecutive text deltas waiting to be written are merged into one event.
  let pendingDelta: { text: string } | null = null;

  function write(body: EventBody): void {
    chain = chain.then(async () => {
      if (failure) return;
      try {
        await appendEvent(ref, body);
      } catch (error) {
        failure = error;
      }
    });
  }

  async function settle(): Promise<void> {
    await chain;
    if (failure) throw failure;
  }

  function writeDelta(text: string): void {
    if (!text) return;
    if (pendingDelta) {
      pendingDelta.text += text;
      return;
    }
    const delta = { text };
    pendingDelta = delta;
    chain = chain.then(() => {
      pendingDelta = null;
    });
    write({ type: "message.delta", payload: delta });
  }

  /** Ends the message stream: whatever the redactor held back is released. */
  function closeDeltas(): void {
    if (!deltaStream) return;
    writeDelta(deltaStream.flush());
    deltaStream = null;
  }

  /** Ends one call's output streams before its tool.end. */
  function closeOutput(callId: string): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const key = `${callId}:${stream}`;
      const rest = outputStreams.get(key)?.flush();
      outputStreams.delete(key);
      if (rest) write({ type: "tool.output", payload: { callId, stream, chunk: rest } });
    }
  }

  return {
    emit(body) {
      switch (body.type) {
        case "message.delta":
          deltaStream ??= redactor.stream();
          writeDelta(deltaStream.push(body.payload.text));
          break;
        case "tool.output": {
          const key = `${body.payload.callId}:${body.payload.stream}`;
          let stream = outputStreams.get(key);
          if (!stream) {
            stream = redactor.stream();
            outputStreams.set(key, stream);
          }
          const chunk = stream.push(body.payload.chunk);
          if (chunk) write({ type: "tool.output", payload: { ...body.payload, chunk } });
          break;
        }
        case "tool.end":
          closeOutput(body.payload.callId);
          write(redactDeep(body, redactor.redact));
          break;
        case "message":
          closeDeltas();
          write(redactDeep(body, redactor.redact));
          break;
        default:
          closeDeltas();
          write(redactDeep(body, redactor.redact));
      }
      return settle();
    },
    flush() {
      closeDeltas();
      for (const key of outputStreams.keys()) closeOutput(key.slice(0, key.lastIndexOf(":")));
      return settle();
    },
  };
}
