// The setup phase's outcome for one attempt, stored on the attempt and returned by the API as
// `attempt.setup`. The timeline shows the same verdict as a sentence.
import { z } from "zod";

export const setupReportSchema = z.object({
  /** hit: a saved setup was reused; miss: setup ran; off: the environment has no setup script. */
  cache: z.enum(["hit", "miss", "off"]),
  /** Why, in words: "package-lock.json changed", "no cache yet", "made 2 h ago", "it failed". */
  reason: z.string(),
  key: z.string().nullable(),
  durationMs: z.number(),
  /** Hosts the egress proxy refused, each once. */
  blocked: z.array(z.string()),
  /** Bytes saved in the cache (misses that succeeded) or restored from it (hits). */
  sizeBytes: z.number().optional(),
  /** Whether the setup (or maintenance) script ran, and how it ended. */
  ran: z.enum(["setup", "maintenance", "none"]),
  exitCode: z.number().int().nullable().optional(),
  /** Tool versions of the sandbox image (setup checks report them). */
  tools: z.record(z.string(), z.string()).optional(),
});
export type SetupReport = z.infer<typeof setupReportSchema>;

export function parseStoredSetupReport(value: unknown): SetupReport | null {
  const parsed = setupReportSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** "2 h ago", "5 min ago", "3 d ago": how old a cache is, for the timeline. */
export function ageText(from: Date, now = new Date()): string {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}
