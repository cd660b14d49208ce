import { describe, expect, it } from "vitest";
import type { EventBody, StoredEvent } from "@/lib/events";
import { applyEvent, emptyTimeline, type TimelineState } from "./timeline-model";

let nextId = 1;
function stored(attemptId: string, body: EventBody): StoredEvent {
  const id = nextId++;
  return { ...body, id: String(id), attemptId, seq: id, createdAt: new Date(0).toISOString() };
}

const fold = (events: StoredEvent[]): TimelineState => events.reduce(applyEvent, emptyTimeline);

describe("the setup stage in the timeline", () => {
  it("shows the setup and maintenance scripts as labelled commands with their output and exit", () => {
    const state = fold([
      stored("a1", { type: "tool.begin", payload: { callId: "setup", tool: "setup", command: "npm ci" } }),
      stored("a1", { type: "tool.output", payload: { callId: "setup", stream: "stdout", chunk: "added 12 packages\n" } }),
      stored("a1", { type: "tool.end", payload: { callId: "setup", tool: "setup", ok: true, exitCode: 0, durationMs: 1200 } }),
      stored("a1", { type: "setup", payload: { cache: "miss", message: "setup: ran — no cache yet", key: "abc" } }),
      stored("a1", { type: "egress.blocked", payload: { host: "evil.example.com", phase: "setup" } }),
    ]);
    expect(state.items).toEqual([
      expect.objectContaining({ kind: "command", label: "setup script", command: "npm ci", output: "added 12 packages\n", exitCode: 0, running: false }),
      expect.objectContaining({ kind: "setup", cache: "miss", message: "setup: ran — no cache yet" }),
      expect.objectContaining({ kind: "blocked", host: "evil.example.com", phase: "setup" }),
    ]);
  });

  it("keeps the output of two attempts' setup scripts apart although both use the call id setup", () => {
    const state = fold([
      stored("a1", { type: "tool.begin", payload: { callId: "setup", tool: "setup", command: "npm ci" } }),
      stored("a2", { type: "tool.begin", payload: { callId: "setup", tool: "setup", command: "npm ci" } }),
      stored("a2", { type: "tool.output", payload: { callId: "setup", stream: "stdout", chunk: "second\n" } }),
      stored("a1", { type: "tool.output", payload: { callId: "setup", stream: "stdout", chunk: "first\n" } }),
      stored("a2", { type: "tool.end", payload: { callId: "setup", tool: "setup", ok: false, exitCode: 1, durationMs: 5 } }),
    ]);
    expect(state.items.map((item) => (item.kind === "command" ? [item.output, item.running, item.exitCode] : null))).toEqual([
      ["first\n", true, undefined],
      ["second\n", false, 1],
    ]);
  });

  it("a later turn's maintenance script does not write into an earlier turn's item", () => {
    const state = fold([
      stored("a1", { type: "tool.begin", payload: { callId: "maintenance", tool: "maintenance", command: "npm i" } }),
      stored("a1", { type: "tool.end", payload: { callId: "maintenance", tool: "maintenance", ok: true, exitCode: 0, durationMs: 5 } }),
      stored("a1", { type: "tool.begin", payload: { callId: "maintenance", tool: "maintenance", command: "npm i" } }),
      stored("a1", { type: "tool.output", payload: { callId: "maintenance", stream: "stdout", chunk: "again\n" } }),
    ]);
    expect(state.items.map((item) => (item.kind === "command" ? [item.label, item.output, item.running] : null))).toEqual([
      ["maintenance script", "", false],
      ["maintenance script", "again\n", true],
    ]);
  });
});
