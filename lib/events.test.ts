import { describe, expect, it } from "vitest";
import { eventBodySchema, storedEventSchema, type EventBody, type EventType } from "./events";

const valid: Record<EventType, EventBody> = {
  turn: { type: "turn", payload: { index: 1, prompt: "Also update the README." } },
  steer: { type: "steer", payload: { text: "Use tabs, not spaces." } },
  status: { type: "status", payload: { status: "running", message: "Started." } },
  "message.delta": { type: "message.delta", payload: { text: "Hel" } },
  message: { type: "message", payload: { text: "Hello" } },
  "reasoning.summary": { type: "reasoning.summary", payload: { text: "Looked at the tests." } },
  "tool.begin": { type: "tool.begin", payload: { callId: "c1", tool: "shell", command: "npm test", cwd: "/workspace" } },
  "tool.output": { type: "tool.output", payload: { callId: "c1", stream: "stdout", chunk: "ok\n" } },
  "tool.end": {
    type: "tool.end",
    payload: { callId: "c1", tool: "shell", ok: true, exitCode: 0, durationMs: 12, files: [{ path: "a.ts", added: 1, removed: 0 }] },
  },
  diff: { type: "diff", payload: { filesChanged: 1, additions: 2, deletions: 3 } },
  error: { type: "error", payload: { code: "timeout", message: "Took too long." } },
  usage: { type: "usage", payload: { inputTokens: 10, outputTokens: 5 } },
  compaction: { type: "compaction", payload: { tokensBefore: 180000, itemsBefore: 120, itemsAfter: 5, summary: "Fixed the parser." } },
  plan: { type: "plan", payload: { explanation: "Found the test.", steps: [{ step: "Fix the date", status: "in_progress" }] } },
  preview: { type: "preview", payload: { side: "before", stage: "failed", message: "The start command exited." } },
  screenshot: { type: "screenshot", payload: { route: "/pricing", viewport: "desktop", status: "changed", changedRatio: 0.02 } },
  setup: { type: "setup", payload: { cache: "hit", message: "setup: cached (key 3f2a9c1b, made 2 h ago)", key: "3f2a9c1b" } },
  "egress.blocked": { type: "egress.blocked", payload: { host: "example.com", phase: "setup" } },
};

describe("eventBodySchema", () => {
  it.each(Object.values(valid))("accepts a valid $type event", (body) => {
    expect(eventBodySchema.parse(body)).toEqual(body);
  });

  it("accepts tool.end with a null exit code (killed) and without optional fields", () => {
    expect(eventBodySchema.safeParse({ type: "tool.end", payload: { callId: "c", tool: "shell", ok: false, exitCode: null, durationMs: 1 } }).success).toBe(
      true,
    );
  });

  it("rejects an unknown type", () => {
    expect(eventBodySchema.safeParse({ type: "tool.magic", payload: {} }).success).toBe(false);
    expect(eventBodySchema.safeParse({ payload: { text: "x" } }).success).toBe(false);
  });

  it.each([
    { type: "status", payload: { status: "paused" } },
    { type: "message", payload: {} },
    { type: "message.delta", payload: { text: 1 } },
    { type: "tool.begin", payload: { tool: "shell" } },
    { type: "tool.output", payload: { callId: "c1", stream: "stdin", chunk: "x" } },
    { type: "tool.end", payload: { callId: "c1", tool: "shell", ok: "yes", durationMs: 1 } },
    { type: "tool.end", payload: { callId: "c1", tool: "shell", ok: true, exitCode: 1.5, durationMs: 1 } },
    { type: "diff", payload: { filesChanged: 1.5, additions: 0, deletions: 0 } },
    { type: "error", payload: { message: "no code" } },
    { type: "usage", payload: { inputTokens: "10", outputTokens: 5 } },
    { type: "message" },
  ])("rejects a wrong payload: %j", (body) => {
    expect(eventBodySchema.safeParse(body).success).toBe(false);
  });
});

describe("storedEventSchema", () => {
  it("requires the stored fields on top of the body", () => {
    const stored = { ...valid.message, id: "e1", attemptId: "att_1", seq: 3, createdAt: "2026-11-25T10:00:00Z" };
    expect(storedEventSchema.safeParse(stored).success).toBe(true);
    expect(storedEventSchema.safeParse(valid.message).success).toBe(false);
  });
});
