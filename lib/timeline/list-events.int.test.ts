// Timeline replay against real Postgres: pages across a task's attempts and turns keep the global id
// order at every page boundary, and the SSE stream replays more than one page without a gap or a repeat.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { storedEventSchema } from "@/lib/events";
import { createAttemptRow } from "@/test/support/rows";
import { listTaskEvents } from "./list-events";
import { taskEventStream } from "./task-event-stream";

/** A finished task with three attempts (two in its first turn, one in a follow-up) whose events interleave. */
async function taskWithInterleavedEvents(count: number): Promise<{ taskId: string; texts: string[] }> {
  const { taskId, attemptId } = await createAttemptRow("completed");
  const turn = await db().turn.findFirstOrThrow({ where: { taskId }, select: { id: true } });
  const second = await db().attempt.create({ data: { turnId: turn.id, index: 1, status: "completed" }, select: { id: true } });
  const followUp = await db().turn.create({
    data: { taskId, index: 1, prompt: "and this", attempts: { create: { index: 0, status: "completed" } } },
    select: { attempts: { select: { id: true } } },
  });
  const attemptIds = [attemptId, second.id, followUp.attempts[0]?.id ?? ""];
  const seqs = attemptIds.map(() => 0);
  // The attempts interleave unevenly (0, 1, 0, 2, 0, 1, …).
  const pattern = [0, 1, 0, 2];
  const data = Array.from({ length: count }, (_, i) => {
    const which = pattern[i % pattern.length] ?? 0;
    const seq = seqs[which] ?? 0;
    seqs[which] = seq + 1;
    return { attemptId: attemptIds[which] ?? "", seq, type: "message", payload: { text: `event ${i}` } };
  });
  await db().event.createMany({ data });
  // What the timeline must show: every event of the task, by id.
  const stored = await db().event.findMany({ where: { attemptId: { in: attemptIds } }, orderBy: { id: "asc" }, select: { payload: true } });
  return { taskId, texts: stored.map((row) => (row.payload as { text: string }).text) };
}

describe("listTaskEvents", () => {
  it("pages a task's events across attempts and turns in id order, with no gap or repeat at page boundaries", async () => {
    const { taskId, texts } = await taskWithInterleavedEvents(23);
    // A second task's events never show up in the first one's timeline.
    const other = await createAttemptRow("completed");
    await db().event.create({ data: { attemptId: other.attemptId, seq: 0, type: "message", payload: { text: "elsewhere" } } });

    const all = await listTaskEvents(taskId, 0n, 100);
    expect(all.map((event) => (event.type === "message" ? event.payload.text : ""))).toEqual(texts);
    expect(new Set(all.map((event) => event.attemptId)).size).toBe(3);
    const ids = all.map((event) => BigInt(event.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);

    const paged: string[] = [];
    let cursor = 0n;
    for (;;) {
      const page = await listTaskEvents(taskId, cursor, 5);
      paged.push(...page.map((event) => event.id));
      if (page.length < 5) break;
      cursor = BigInt(page.at(-1)?.id ?? "0");
    }
    expect(paged).toEqual(all.map((event) => event.id));

    // A cursor in the middle: only what came after it.
    const middle = all[10]?.id ?? "0";
    expect((await listTaskEvents(taskId, BigInt(middle), 100)).map((event) => event.id)).toEqual(all.slice(11).map((event) => event.id));
  });

  it("returns events in the stored shape, and refuses one whose payload does not match its type", async () => {
    const { taskId, attemptId } = await createAttemptRow("completed");
    await db().event.create({ data: { attemptId, seq: 0, type: "tool.begin", payload: { callId: "c1", tool: "shell", command: "ls" } } });
    const [event] = await listTaskEvents(taskId, 0n);
    expect(event).toEqual(storedEventSchema.parse(event));
    expect(event).toMatchObject({ attemptId, seq: 0, type: "tool.begin", payload: { callId: "c1", tool: "shell", command: "ls" } });
    expect(typeof event?.id).toBe("string");
    expect(new Date(event?.createdAt ?? "").toISOString()).toBe(event?.createdAt);

    await db().event.create({ data: { attemptId, seq: 1, type: "tool.begin", payload: { tool: "shell" } } });
    await expect(listTaskEvents(taskId, 0n)).rejects.toThrow();
  });
});

describe("taskEventStream replay", () => {
  it("replays more than one page of a finished task in id order, each event once, then ends", async () => {
    const count = 4_500;
    const { taskId, texts } = await taskWithInterleavedEvents(count);
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of taskEventStream(taskId, 0n, new AbortController().signal) as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
    }
    const messages = text.split("\n\n").filter((message) => message.startsWith("id: "));
    const replayed = messages.map((message) => JSON.parse(message.split("\ndata: ")[1] ?? "{}") as { id: string; payload: { text: string } });
    expect(replayed.map((event) => event.payload.text)).toEqual(texts);
    expect(new Set(replayed.map((event) => event.id)).size).toBe(count);
    expect(text.trimEnd().endsWith("event: end\ndata: {}")).toBe(true);
  });
});
