import { createHash } from "node:crypto";
import type { SandboxRole } from "./driver";

// Labels on every container, volume and network Patchbay creates, so the reaper can find orphans.
export const LABEL_MANAGED = "patchbay.managed";
// Which Patchbay installation owns it: reapers of other installs sharing the Docker host leave it alone.
export const LABEL_INSTANCE = "patchbay.instance";
export const LABEL_TASK = "patchbay.task-id";
export const LABEL_ATTEMPT = "patchbay.attempt-id";
export const LABEL_WORKER = "patchbay.worker-id";
export const LABEL_EXPIRES = "patchbay.expires-at";
export const LABEL_ROLE = "patchbay.role";

export function sandboxLabels(input: { instanceId: string; taskId: string; attemptId: string; workerId: string; expiresAt: Date }): Record<string, string> {
  return {
    [LABEL_MANAGED]: "true",
    [LABEL_INSTANCE]: input.instanceId,
    [LABEL_TASK]: input.taskId,
    [LABEL_ATTEMPT]: input.attemptId,
    [LABEL_WORKER]: input.workerId,
    [LABEL_EXPIRES]: input.expiresAt.toISOString(),
  };
}

/** An installation is identified by its database (credentials left out): one Postgres, one instance. */
export function instanceIdFor(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return createHash("sha256").update(`${url.hostname}:${url.port}${url.pathname}`).digest("hex").slice(0, 16);
}

export function containerName(attemptId: string, role: SandboxRole = "agent"): string {
  return role === "agent" ? `patchbay-${attemptId}` : `patchbay-${attemptId}-${role}`;
}

/** The agent's workspace is shared with the result preview; the base preview gets its own checkout. */
export function workspaceVolumeName(attemptId: string, role: SandboxRole = "agent"): string {
  return role === "preview-base" ? `patchbay-ws-${attemptId}-base` : `patchbay-ws-${attemptId}`;
}

export function networkName(attemptId: string): string {
  return `patchbay-net-${attemptId}`;
}
