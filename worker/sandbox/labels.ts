// Labels on every container, volume and network Patchbay creates, so the reaper can find orphans.
export const LABEL_MANAGED = "patchbay.managed";
export const LABEL_TASK = "patchbay.task-id";
export const LABEL_ATTEMPT = "patchbay.attempt-id";
export const LABEL_WORKER = "patchbay.worker-id";
export const LABEL_EXPIRES = "patchbay.expires-at";

export function sandboxLabels(input: { taskId: string; attemptId: string; workerId: string; expiresAt: Date }): Record<string, string> {
  return {
    [LABEL_MANAGED]: "true",
    [LABEL_TASK]: input.taskId,
    [LABEL_ATTEMPT]: input.attemptId,
    [LABEL_WORKER]: input.workerId,
    [LABEL_EXPIRES]: input.expiresAt.toISOString(),
  };
}

export function containerName(attemptId: string): string {
  return `patchbay-${attemptId}`;
}

export function workspaceVolumeName(attemptId: string): string {
  return `patchbay-ws-${attemptId}`;
}
