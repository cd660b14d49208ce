// Helpers for tests that create sandboxes directly with the real Docker driver (no worker, no queue).
import { randomBytes } from "node:crypto";
import { clampLimits } from "@/worker/sandbox/container-template";
import type { SandboxSpec } from "@/worker/sandbox/driver";
import { isNotFound } from "@/worker/sandbox/docker-driver";
import { LABEL_INSTANCE, LABEL_WARM, LABEL_WORKER, workspaceVolumeName } from "@/worker/sandbox/labels";
import { containersOf, docker, TEST_INSTANCE_ID, TEST_SANDBOX_IMAGE } from "./test-worker";
import { waitFor } from "./wait-for";

/** A unique id shaped like a cuid, so labels and names look like production ones. */
export function testId(prefix = "t"): string {
  return `${prefix}${randomBytes(10).toString("hex")}`;
}

export function sandboxSpec(overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    attemptId: testId("att"),
    taskId: testId("task"),
    role: "agent",
    network: null,
    instanceId: TEST_INSTANCE_ID,
    workerId: `test-driver-${process.pid}`,
    image: TEST_SANDBOX_IMAGE,
    limits: clampLimits(512, 1),
    expiresAt: new Date(Date.now() + 10 * 60 * 1000),
    ...overrides,
  };
}

export async function volumeExists(name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export async function workspaceVolumeExists(attemptId: string): Promise<boolean> {
  return volumeExists(workspaceVolumeName(attemptId));
}

export async function containerExists(idOrName: string): Promise<boolean> {
  try {
    await docker.getContainer(idOrName).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * The attempt processor records the outcome first and removes the sandbox in its `finally`, so a test that
 * has just seen an attempt finish waits for the removal (a state, bounded generously for a busy machine);
 * it fails, naming what is left, if the container or the workspace volume stays.
 */
export async function waitForSandboxRemoved(attemptId: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `the sandbox of attempt ${attemptId} (container and workspace volume) to be removed`,
    async () => (await containersOf(attemptId)).length === 0 && !(await workspaceVolumeExists(attemptId)),
    timeoutMs,
    200,
  );
}

/**
 * Removes the warm sandboxes (containers and volumes) that worker processes a test killed left behind. In
 * production another worker of the installation reaps them once their worker's heartbeat is gone; a test's
 * private installation has no other worker.
 */
export async function removeWarmSandboxes(of: { instanceId: string } | { workerIds: string[] }): Promise<void> {
  const labels =
    "instanceId" in of
      ? [[`${LABEL_WARM}=true`, `${LABEL_INSTANCE}=${of.instanceId}`]]
      : of.workerIds.map((id) => [`${LABEL_WARM}=true`, `${LABEL_WORKER}=${id}`]);
  for (const label of labels) {
    for (const info of await docker.listContainers({ all: true, filters: { label } }))
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => undefined);
    for (const volume of (await docker.listVolumes({ filters: { label } })).Volumes ?? [])
      await docker
        .getVolume(volume.Name)
        .remove({ force: true })
        .catch(() => undefined);
  }
}
