// Removes sandboxes nobody owns any more: the attempt finished, its worker stopped heart-beating, or
// its expires-at passed. Runs at worker start (before any job) and then every minute.
import type Docker from "dockerode";
import type { Redis } from "ioredis";
import { statusesOfAttempts } from "@/lib/tasks/attempt-work";
import { workerHeartbeatKey } from "@/lib/queue/contracts";
import { isFinished, type AttemptStatusValue } from "@/lib/tasks/task-status";
import { isNotFound, listManagedContainers, listManagedVolumes } from "./docker-driver";
import type { WorkspaceDisk } from "./workspace-disk";
import { type LayeredVolumes, releaseVolumeStorage } from "./layered-volumes";
import { LABEL_ATTEMPT, LABEL_EXPIRES, LABEL_INSTANCE, LABEL_MANAGED, LABEL_WARM, LABEL_WORKER } from "./labels";
import type { WarmPoolControl } from "./driver";

export type ReaperDeps = {
  docker: Docker;
  redis: Redis;
  instanceId: string;
  workerId: string;
  active: ReadonlyMap<string, unknown>;
  /** This worker's warm sandboxes (ready, being made, or taken by a running attempt) are kept. */
  warm?: Pick<WarmPoolControl, "holds"> | null;
  /** Frees the loop device and image of a size-capped volume once it is removed. */
  workspaceDisk?: Pick<WorkspaceDisk, "release">;
  /** Frees the layers of a copy-on-write volume once it is removed. */
  layers?: Pick<LayeredVolumes, "release">;
};

export async function reapOrphans(deps: ReaperDeps): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  const removedContainers: string[] = [];
  const liveAttempts = new Set<string>();
  const containers = await listManagedContainers(deps.docker, deps.instanceId);
  const statuses = await statusesOfAttempts(containers.map((info) => info.Labels[LABEL_ATTEMPT]).filter((id): id is string => Boolean(id)));

  for (const info of containers) {
    const attemptId = info.Labels[LABEL_ATTEMPT] ?? "";
    const reason = await orphanReason(deps, info.Labels, statuses.get(attemptId));
    if (!reason) {
      liveAttempts.add(attemptId);
      continue;
    }
    try {
      await deps.docker.getContainer(info.Id).remove({ force: true });
      removedContainers.push(info.Names[0] ?? info.Id);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  const unowned = (labels: Record<string, string> | null | undefined) => {
    const attemptId = labels?.[LABEL_ATTEMPT] ?? "";
    return !liveAttempts.has(attemptId) && !deps.active.has(attemptId) && !deps.warm?.holds(attemptId);
  };
  const volumes: { Name: string; Labels: Record<string, string> | null }[] = [];
  for (const volume of await listManagedVolumes(deps.docker, deps.instanceId)) {
    // Another live worker's warm volumes may not have their container yet (it is made right after them).
    if (unowned(volume.Labels) && !(await isOtherLiveWorkersWarm(deps, volume.Labels))) volumes.push(volume);
  }
  const removedVolumes = await removeEach(
    volumes.map((volume) => ({
      name: volume.Name,
      remove: async () => {
        await deps.docker.getVolume(volume.Name).remove();
        await releaseVolumeStorage(volume.Labels, deps);
      },
    })),
  );
  const networks = (await deps.docker.listNetworks({ filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_INSTANCE}=${deps.instanceId}`] } })).filter(
    (network) => unowned(network.Labels),
  );
  const removedNetworks = await removeEach(networks.map((network) => ({ name: network.Name, remove: () => deps.docker.getNetwork(network.Id).remove() })));
  return { containers: removedContainers, volumes: removedVolumes, networks: removedNetworks };
}

async function orphanReason(deps: ReaperDeps, labels: Record<string, string>, status: AttemptStatusValue | undefined): Promise<string | null> {
  const attemptId = labels[LABEL_ATTEMPT] ?? "";
  if (deps.active.has(attemptId) || deps.warm?.holds(attemptId)) return null;
  const owner = labels[LABEL_WORKER] ?? "";
  if (labels[LABEL_WARM]) {
    // A warm sandbox belongs to its worker's pool, or to the attempt that took it, while that worker lives.
    if (owner === deps.workerId) return "warm sandbox this worker no longer holds";
    return (await isOtherLiveWorkersWarm(deps, labels)) ? null : "worker stopped heart-beating";
  }
  if (!status) return "attempt does not exist";
  if (isFinished(status)) return "attempt finished";
  const expires = Date.parse(labels[LABEL_EXPIRES] ?? "");
  if (Number.isFinite(expires) && expires < Date.now()) return "expired";
  if (owner === deps.workerId) return "not running on this worker";
  const alive = await deps.redis.exists(workerHeartbeatKey(owner));
  return alive ? null : "worker stopped heart-beating";
}

async function isOtherLiveWorkersWarm(deps: ReaperDeps, labels: Record<string, string> | null): Promise<boolean> {
  const owner = labels?.[LABEL_WORKER] ?? "";
  if (!labels?.[LABEL_WARM] || owner === deps.workerId) return false;
  return (await deps.redis.exists(workerHeartbeatKey(owner))) > 0;
}

/** Removes each item; 404 (already gone) and 409 (still in use by a container being created right now:
 * the next round decides) are skipped, anything else is a real error. */
async function removeEach(items: { name: string; remove: () => Promise<unknown> }[]): Promise<string[]> {
  const removed: string[] = [];
  for (const item of items) {
    try {
      await item.remove();
      removed.push(item.name);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 409) throw error;
    }
  }
  return removed;
}
