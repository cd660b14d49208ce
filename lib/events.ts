// The agent ↔ UI contract: a typed, append-only event log per attempt. The worker appends, the web
// replays and tails. Begin/end pairs share a callId. Every payload is parsed with these schemas on
// both sides, so producer and consumer cannot drift.
import { z } from "zod";

export const attemptStatuses = ["queued", "provisioning", "running", "completed", "failed", "cancelled"] as const;
export const attemptStatusSchema = z.enum(attemptStatuses);

const fileCount = z.object({ path: z.string(), added: z.number().int(), removed: z.number().int() });

export const eventBodySchema = z.discriminatedUnion("type", [
  /** A person's message starting a turn: the first prompt (index 0) or a follow-up. */
  z.object({ type: z.literal("turn"), payload: z.object({ index: z.number().int(), prompt: z.string() }) }),
  /** A message sent while the attempt runs; the agent receives it at its next model call. */
  z.object({ type: z.literal("steer"), payload: z.object({ text: z.string() }) }),
  z.object({ type: z.literal("status"), payload: z.object({ status: attemptStatusSchema, message: z.string().optional() }) }),
  z.object({ type: z.literal("message.delta"), payload: z.object({ text: z.string() }) }),
  z.object({ type: z.literal("message"), payload: z.object({ text: z.string() }) }),
  z.object({ type: z.literal("reasoning.summary"), payload: z.object({ text: z.string() }) }),
  z.object({
    type: z.literal("tool.begin"),
    payload: z.object({
      callId: z.string(),
      tool: z.string(),
      command: z.string().optional(),
      cwd: z.string().optional(),
    }),
  }),
  z.object({
    type: z.literal("tool.output"),
    payload: z.object({ callId: z.string(), stream: z.enum(["stdout", "stderr"]), chunk: z.string() }),
  }),
  z.object({
    type: z.literal("tool.end"),
    payload: z.object({
      callId: z.string(),
      tool: z.string(),
      ok: z.boolean(),
      exitCode: z.number().int().nullable().optional(),
      durationMs: z.number(),
      timedOut: z.boolean().optional(),
      truncated: z.boolean().optional(),
      error: z.string().optional(),
      files: z.array(fileCount).optional(),
      summary: z.string().optional(),
    }),
  }),
  z.object({
    type: z.literal("diff"),
    payload: z.object({ filesChanged: z.number().int(), additions: z.number().int(), deletions: z.number().int() }),
  }),
  z.object({ type: z.literal("error"), payload: z.object({ code: z.string(), message: z.string() }) }),
  z.object({
    type: z.literal("compaction"),
    payload: z.object({ tokensBefore: z.number().int(), itemsBefore: z.number().int(), itemsAfter: z.number().int(), summary: z.string() }),
  }),
  z.object({
    type: z.literal("plan"),
    payload: z.object({
      explanation: z.string().optional(),
      steps: z.array(z.object({ step: z.string(), status: z.enum(["pending", "in_progress", "completed"]) })),
    }),
  }),
  z.object({
    type: z.literal("preview"),
    payload: z.object({ side: z.enum(["before", "after", "agent"]), stage: z.enum(["starting", "captured", "failed"]), message: z.string() }),
  }),
  z.object({
    type: z.literal("screenshot"),
    payload: z.object({
      route: z.string(),
      viewport: z.string(),
      status: z.enum(["changed", "unchanged", "failed", "captured"]),
      changedRatio: z.number().optional(),
      /** Set for screenshots the agent took with its tool; the stage's images are in the task's report. */
      artifactId: z.string().optional(),
    }),
  }),
  /** The setup phase's cache verdict ("setup: cached (key 3f2a…, made 2 h ago)"), once per attempt. */
  z.object({
    type: z.literal("setup"),
    payload: z.object({ cache: z.enum(["hit", "miss", "off"]), message: z.string(), key: z.string().optional() }),
  }),
  /** A request the egress proxy refused: the host, and in which phase. */
  z.object({
    type: z.literal("egress.blocked"),
    payload: z.object({ host: z.string(), phase: z.enum(["setup", "maintenance", "agent"]) }),
  }),
  z.object({
    type: z.literal("usage"),
    payload: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int(), costUsd: z.number().optional() }),
  }),
]);

export type EventBody = z.infer<typeof eventBodySchema>;
export type EventType = EventBody["type"];

export const storedEventSchema = z.intersection(
  eventBodySchema,
  z.object({ id: z.string(), attemptId: z.string(), seq: z.number().int(), createdAt: z.string() }),
);
export type StoredEvent = z.infer<typeof storedEventSchema>;

/** Events carry at most this much output per chunk, so one SSE message stays small. */
export const MAX_EVENT_CHUNK_BYTES = 8 * 1024;

export function eventChannel(taskId: string): string {
  return `patchbay:events:${taskId}`;
}
