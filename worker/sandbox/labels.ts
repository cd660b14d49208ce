import { createHash } from "node:crypto";

// Labels on every container, volume and network Patchbay creates, so the reaper can find orphans.
export const LABEL_MANAGED = "patchbay.managed";
// Which Patchbay installation owns it: reapers of other installs sharing the Docker host leave it alone.
export const LABEL_INSTANCE = "patchbay.instance";
export const LABEL_TASK = "patchbay.task-id";
export const LABEL_ATTEMPT = "patchbay.attempt-id";
export const LABEL_WORKER = "patchbay.worker-id";
export const LABEL_EXPIRES = "patchbay.expires-at";

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

export function containerName(attemptId: string): string {
  return `patchbay-${attemptId}`;
}

export function workspaceVolumeName(attemptId: string): string {
  return `patchbay-ws-${attemptId}`;
}
