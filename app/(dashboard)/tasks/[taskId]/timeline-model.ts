// Folds the event stream into what the timeline shows: messages (deltas joined), commands with their
// output and exit code, file edits, status lines and errors. Pure, so it is unit-tested.
import type { StoredEvent } from "@/lib/events";

export type TimelineItem =
  | { kind: "turn"; id: string; index: number; prompt: string }
  | { kind: "steer"; id: string; text: string }
  | { kind: "compaction"; id: string; tokensBefore: number; itemsBefore: number; itemsAfter: number; summary: string }
  | { kind: "status"; id: string; status: string; message?: string }
  | { kind: "message"; id: string; text: string; streaming: boolean }
  | { kind: "reasoning"; id: string; text: string }
  | {
      kind: "command";
      id: string;
      callId: string;
      /** Set for the environment's own scripts ("setup", "maintenance"), which are not the agent's commands. */
      label?: string;
      command: string;
      output: string;
      exitCode?: number | null;
      durationMs?: number;
      timedOut?: boolean;
      truncated?: boolean;
      running: boolean;
    }
  | { kind: "edit"; id: string; callId: string; files: { path: string; added: number; removed: number }[]; ok?: boolean; error?: string; running: boolean }
  | { kind: "tool"; id: string; callId: string; tool: string; ok?: boolean; error?: string; running: boolean }
  | { kind: "diff"; id: string; filesChanged: number; additions: number; deletions: number }
  | { kind: "error"; id: string; message: string }
  | { kind: "preview"; id: string; side: string; stage: string; message: string }
  | { kind: "plan"; id: string; explanation?: string; steps: { step: string; status: string }[] }
  | { kind: "screenshot"; id: string; route: string; viewport: string; status: string; changedRatio?: number; artifactId?: string }
  | { kind: "setup"; id: string; cache: "hit" | "miss" | "off"; message: string }
  | { kind: "blocked"; id: string; host: string; phase: string };

export type PlanStep = { step: string; status: string };
export type TimelineState = {
  items: TimelineItem[];
  lastId: string | null;
  usage: { inputTokens: number; outputTokens: number; costUsd?: number } | null;
  status: string | null;
  /** The latest plan, shown pinned above the timeline. */
  plan: PlanStep[] | null;
};

export const emptyTimeline: TimelineState = { items: [], lastId: null, usage: null, status: null, plan: null };

export function applyEvent(state: TimelineState, event: StoredEvent): TimelineState {
  if (state.lastId !== null && BigInt(event.id) <= BigInt(state.lastId)) return state;
  const next: TimelineState = { ...state, lastId: event.id };
  const items = [...state.items];
  // Call ids are unique within an attempt only (the setup stage uses "setup" in every attempt and turn), so
  // items keep them scoped by attempt, and the latest call with the id wins.
  const callKey = (callId: string) => `${event.attemptId}:${callId}`;
  const findCall = (callId: string) => items.findLastIndex((item) => "callId" in item && item.callId === callKey(callId));

  switch (event.type) {
    case "turn":
      items.push({ kind: "turn", id: event.id, index: event.payload.index, prompt: event.payload.prompt });
      break;
    case "steer":
      items.push({ kind: "steer", id: event.id, text: event.payload.text });
      break;
    case "compaction":
      items.push({ kind: "compaction", id: event.id, ...event.payload });
      break;
    case "status":
      next.status = event.payload.status;
      items.push({ kind: "status", id: event.id, status: event.payload.status, ...(event.payload.message ? { message: event.payload.message } : {}) });
      break;
    case "message.delta": {
      const last = items.at(-1);
      if (last?.kind === "message" && last.streaming) items[items.length - 1] = { ...last, text: last.text + event.payload.text };
      else items.push({ kind: "message", id: event.id, text: event.payload.text, streaming: true });
      break;
    }
    case "message": {
      const last = items.at(-1);
      if (last?.kind === "message" && last.streaming) items[items.length - 1] = { ...last, text: event.payload.text, streaming: false };
      else items.push({ kind: "message", id: event.id, text: event.payload.text, streaming: false });
      break;
    }
    case "reasoning.summary":
      items.push({ kind: "reasoning", id: event.id, text: event.payload.text });
      break;
    case "tool.begin": {
      const { tool } = event.payload;
      const callId = callKey(event.payload.callId);
      if (tool === "shell" || tool === "check")
        items.push({ kind: "command", id: event.id, callId, command: event.payload.command ?? "", output: "", running: true });
      else if (tool === "setup" || tool === "maintenance")
        items.push({ kind: "command", id: event.id, callId, label: `${tool} script`, command: event.payload.command ?? "", output: "", running: true });
      else if (tool === "apply_patch") items.push({ kind: "edit", id: event.id, callId, files: [], running: true });
      else items.push({ kind: "tool", id: event.id, callId, tool, running: true });
      break;
    }
    case "tool.output": {
      const index = findCall(event.payload.callId);
      const item = items[index];
      if (item?.kind === "command") items[index] = { ...item, output: item.output + event.payload.chunk };
      break;
    }
    case "tool.end": {
      const index = findCall(event.payload.callId);
      const item = items[index];
      const { exitCode, durationMs, timedOut, truncated, ok, error, files } = event.payload;
      if (item?.kind === "command") {
        items[index] = {
          ...item,
          exitCode: exitCode ?? null,
          durationMs,
          running: false,
          ...(timedOut ? { timedOut } : {}),
          ...(truncated ? { truncated } : {}),
        };
      } else if (item?.kind === "edit") {
        items[index] = { ...item, files: files ?? [], ok, running: false, ...(error ? { error } : {}) };
      } else if (item?.kind === "tool") {
        items[index] = { ...item, ok, running: false, ...(error ? { error } : {}) };
      }
      break;
    }
    case "diff":
      items.push({ kind: "diff", id: event.id, ...event.payload });
      break;
    case "error":
      items.push({ kind: "error", id: event.id, message: event.payload.message });
      break;
    case "usage":
      next.usage = event.payload;
      break;
    case "preview":
      items.push({ kind: "preview", id: event.id, ...event.payload });
      break;
    case "plan":
      next.plan = event.payload.steps;
      items.push({ kind: "plan", id: event.id, steps: event.payload.steps, ...(event.payload.explanation ? { explanation: event.payload.explanation } : {}) });
      break;
    case "screenshot":
      items.push({ kind: "screenshot", id: event.id, ...event.payload });
      break;
    case "setup":
      items.push({ kind: "setup", id: event.id, cache: event.payload.cache, message: event.payload.message });
      break;
    case "egress.blocked":
      items.push({ kind: "blocked", id: event.id, host: event.payload.host, phase: event.payload.phase });
      break;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
  next.items = items;
  return next;
}
