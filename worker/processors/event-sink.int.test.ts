// The event sink against real Postgres: order, merged deltas, and redaction of secrets that are split
// across streamed chunks or contain characters JSON escapes.
import { describe, expect, it } from "vitest";
import { createRedactor } from "@/lib/redact";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createAttemptRow } from "@/test/support/rows";
import { createEventSink } from "./event-sink";

const KEY = "sk-live-0123456789abcdef";
const QUOTED = 'pa"ss\\word-with-quotes';
const redactor = createRedactor([
  { name: "OPENAI_API_KEY", value: KEY },
  { name: "DB_PASSWORD", value: QUOTED },
]);

describe("event sink", () => {
  it("redacts secrets split across tool output chunks and message deltas, keeping order", async () => {
    const ref = await createAttemptRow();
    const sink = createEventSink(ref, redactor);
    await sink.emit({ type: "tool.begin", payload: { callId: "c1", tool: "shell", command: `echo ${KEY}` } });
    await sink.emit({ type: "tool.output", payload: { callId: "c1", stream: "stdout", chunk: `token=${KEY.slice(0, 10)}` } });
    await sink.emit({ type: "tool.output", payload: { callId: "c1", stream: "stdout", chunk: `${KEY.slice(10)} done\n` } });
    await sink.emit({ type: "tool.end", payload: { callId: "c1", tool: "shell", ok: true, exitCode: 0, durationMs: 5 } });
    void sink.emit({ type: "message.delta", payload: { text: `The key is ${KEY.slice(0, 5)}` } });
    void sink.emit({ type: "message.delta", payload: { text: `${KEY.slice(5)} and ` } });
    void sink.emit({ type: "message.delta", payload: { text: `the password ${QUOTED}.` } });
    await sink.emit({ type: "message", payload: { text: `The key is ${KEY} and the password ${QUOTED}.` } });
    await sink.flush();

    const events = await listTaskEvents(ref.taskId, 0n);
    const stored = JSON.stringify(events);
    expect(stored).not.toContain(KEY);
    expect(stored).not.toContain(KEY.slice(0, 10));
    expect(stored).not.toContain(KEY.slice(10));
    expect(stored).not.toContain("ss\\\\word");

    expect(events.map((event) => event.type)).toEqual([
      "tool.begin",
      ...events.filter((event) => event.type === "tool.output").map(() => "tool.output"),
      "tool.end",
      ...events.filter((event) => event.type === "message.delta").map(() => "message.delta"),
      "message",
    ]);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const output = events.flatMap((event) => (event.type === "tool.output" ? [event.payload.chunk] : [])).join("");
    expect(output).toBe("token=[redacted:OPENAI_API_KEY] done\n");
    const deltas = events.flatMap((event) => (event.type === "message.delta" ? [event.payload.text] : [])).join("");
    expect(deltas).toBe("The key is [redacted:OPENAI_API_KEY] and the password [redacted:DB_PASSWORD].");
    expect(events.at(-1)).toMatchObject({
      type: "message",
      payload: { text: "The key is [redacted:OPENAI_API_KEY] and the password [redacted:DB_PASSWORD]." },
    });
    expect(events[0]).toMatchObject({ payload: { command: "echo [redacted:OPENAI_API_KEY]" } });
  });

  it("stores output with NUL bytes (which PostgreSQL cannot hold) as U+FFFD instead of failing", async () => {
    const ref = await createAttemptRow();
    const sink = createEventSink(ref, redactor);
    await sink.emit({ type: "tool.begin", payload: { callId: "n1", tool: "shell", command: "head -c 2 /dev/zero" } });
    await sink.emit({ type: "tool.output", payload: { callId: "n1", stream: "stdout", chunk: "a\0\0b" } });
    await sink.emit({ type: "tool.end", payload: { callId: "n1", tool: "shell", ok: true, exitCode: 0, durationMs: 1 } });
    await sink.flush();
    const output = (await listTaskEvents(ref.taskId, 0n)).flatMap((event) => (event.type === "tool.output" ? [event.payload.chunk] : [])).join("");
    expect(output).toBe("a\uFFFD\uFFFDb");
  });
});
