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
// A warm sandbox (warm-pool.ts) or warm preview (worker/verify/warm-previews.ts): made before any attempt,
// its attempt-id label is the pool's id for it, and it belongs to its worker while that worker lives.
export const LABEL_WARM = "patchbay.warm";

export function sandboxLabels(input: {
  instanceId: string;
  taskId: string;
  attemptId: string;
  workerId: string;
  expiresAt: Date;
  warm?: boolean;
}): Record<string, string> {
  return {
    ...(input.warm ? { [LABEL_WARM]: "true" } : {}),
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

/** The agent's workspace is shared with the result preview; the base and patched previews get their own checkouts. */
export function workspaceVolumeName(attemptId: string, role: SandboxRole = "agent"): string {
  if (role === "preview-base") return `patchbay-ws-${attemptId}-base`;
  if (role === "preview-patched") return `patchbay-ws-${attemptId}-patched`;
  return `patchbay-ws-${attemptId}`;
}

/** The agent's home (package caches written by setup), shared by the setup and agent containers. */
export function homeVolumeName(attemptId: string): string {
  return `patchbay-home-${attemptId}`;
}

/** The attempt's preview network (previews and the worker's browser). */
export function networkName(attemptId: string): string {
  return `patchbay-net-${attemptId}`;
}

/** The attempt's egress network: setup (and the agent when allowed) with the proxy as the only way out. */
export function egressNetworkName(attemptId: string): string {
  return `patchbay-egress-${attemptId}`;
}

/** The one outbound network per Docker host that proxies reach the registries through. */
export const OUTBOUND_NETWORK = "patchbay-outbound";

/**
 * Linux bridge names for Patchbay networks all start with "pb-", so one host firewall rule
 * (scripts/setup/sandbox-firewall.sh) keeps every sandbox away from the host's own addresses.
 */
export function bridgeName(network: string): string {
  return `pb-${createHash("sha256").update(network).digest("hex").slice(0, 12)}`;
}

// Setup caches: volumes that outlive attempts, found by these labels (never by the attempt reaper).
export const LABEL_SETUP_CACHE = "patchbay.setup-cache";
export const LABEL_ENVIRONMENT = "patchbay.environment-id";

/** Each save gets its own volumes (the saving attempt is part of the name): two attempts that miss the
 * same key at once (best-of-N) never write into, or remove, volumes the other is using. */
export function cacheVolumeNames(environmentId: string, key: string, attemptId: string): { workspace: string; home: string } {
  const base = `patchbay-cache-${createHash("sha256").update(`${environmentId}:${key}:${attemptId}`).digest("hex").slice(0, 20)}`;
  return { workspace: `${base}-ws`, home: `${base}-home` };
}
