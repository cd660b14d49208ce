// The tool versions of the sandbox image, as each worker found them at start (image label
// patchbay.tools). The web app never talks to Docker, so the environment page reads them from here.
import type { Redis } from "ioredis";
import { z } from "zod";
import { redisPublisher } from "@/lib/queue/producer";

const KEY = "patchbay:sandbox-tools";
const sandboxToolsSchema = z.object({ image: z.string(), imageId: z.string(), tools: z.record(z.string(), z.string()), reportedAt: z.string() });
export type SandboxTools = z.infer<typeof sandboxToolsSchema>;

export async function publishSandboxTools(redis: Redis, info: Omit<SandboxTools, "reportedAt">): Promise<void> {
  await redis.set(KEY, JSON.stringify({ ...info, reportedAt: new Date().toISOString() }));
}

/** The newest report, or null before any worker started (or from an image without recorded versions). */
export async function readSandboxTools(): Promise<SandboxTools | null> {
  const raw = await redisPublisher().get(KEY);
  if (!raw) return null;
  try {
    const parsed = sandboxToolsSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
