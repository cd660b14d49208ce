// The live timeline's own limits against real Postgres and Redis: a stream of a task that is still running
// closes after its lifetime (the browser reconnects with Last-Event-ID) and frees its slot.
import { describe, expect, it } from "vitest";
import { createAttemptRow } from "@/test/support/rows";
import { waitFor } from "@/test/support/wait-for";
import { taskEventStream } from "./task-event-stream";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk);
  return text;
}

describe("taskEventStream", () => {
  it("closes a running task's stream at the end of its lifetime, without an end event, and says so", async () => {
    const { taskId } = await createAttemptRow("running");
    let closed = 0;
    const text = await readAll(taskEventStream(taskId, 0n, new AbortController().signal, { lifetimeMs: 300, onClose: () => closed++ }));
    expect(text).toContain("retry: 2000");
    expect(text).not.toContain("event: end");
    expect(closed).toBe(1);
  });

  it("frees the slot of a reader that leaves while the stream is still subscribing", async () => {
    const { taskId } = await createAttemptRow("running");
    let closed = 0;
    const stream = taskEventStream(taskId, 0n, new AbortController().signal, { onClose: () => closed++ });
    // start() is awaiting its Redis subscription now; the browser goes away before it is ready.
    await stream.cancel();
    await waitFor("the stream to free its slot", async () => (closed > 0 ? closed : null), 10_000, 20);
    expect(closed).toBe(1);
  });
});
