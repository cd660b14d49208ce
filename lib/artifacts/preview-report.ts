// What the screenshot stage found, stored on the attempt and returned by the API: per route and
// viewport, the before (base commit) and after (result) captures with their pixel difference, or why
// a capture failed. Images themselves are artifacts, referenced by id.
import { z } from "zod";
import { viewportSchema } from "@/lib/environments/preview-config";

const captureSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), artifactId: z.string(), status: z.number().int() }),
  z.object({ ok: z.literal(false), reason: z.string(), message: z.string(), status: z.number().int().optional() }),
]);
export type CaptureOutcome = z.infer<typeof captureSchema>;

export const shotSchema = z.object({
  route: z.string(),
  viewport: viewportSchema,
  before: captureSchema,
  after: captureSchema,
  diff: z.object({ artifactId: z.string(), changedPixels: z.number().int(), changedRatio: z.number(), sizeChanged: z.boolean() }).nullable(),
});
export type Shot = z.infer<typeof shotSchema>;

/** A side (before/after) whose preview server never came up: install failed, start exited, never ready. */
export const previewFailureSchema = z.object({
  side: z.enum(["before", "after"]),
  stage: z.enum(["install", "start", "ready", "sandbox"]),
  message: z.string(),
  logTail: z.string(),
});
export type PreviewFailure = z.infer<typeof previewFailureSchema>;

export const previewReportSchema = z.object({
  routes: z.array(z.string()),
  shots: z.array(shotSchema),
  failures: z.array(previewFailureSchema),
  blockedRequests: z.array(z.string()).default([]),
  durationMs: z.number(),
});
export type PreviewReport = z.infer<typeof previewReportSchema>;

/** A shot is "changed" when both sides rendered and any pixel differs. */
export function shotStatus(shot: Shot): "changed" | "unchanged" | "failed" {
  if (!shot.before.ok || !shot.after.ok || !shot.diff) return "failed";
  return shot.diff.changedPixels > 0 ? "changed" : "unchanged";
}
