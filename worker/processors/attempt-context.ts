// What every stage of an attempt shares: the worker's dependencies, the attempt being run, its deadline,
// abort signal and event sink, and the one function that turns these into a sandbox spec for a role.
import { AppError, isAppError } from "@/lib/errors";
import type { Logger } from "@/lib/logger";
import type { Secret } from "@/lib/redact";
import type { AttemptRef } from "@/lib/tasks/attempt-status";
import type { AttemptTask, AttemptWork } from "@/lib/tasks/attempt-work";
import type { ModelConfig } from "@/worker/agent/model";
import type { MirrorCache } from "@/worker/repos/mirror-cache";
import type { SandboxDriver, SandboxLimits, SandboxRole, SandboxSpec } from "@/worker/sandbox/driver";
import type { BrowserPool } from "@/worker/verify/browser-pool";
import type { WarmPreviews } from "@/worker/verify/warm-previews";
import type { EnvironmentSetup } from "@/worker/setup/environment-setup";
import type { EventSink } from "./event-sink";

export type AttemptProcessorDeps = {
  instanceId: string;
  workerId: string;
  driver: SandboxDriver;
  mirrors: MirrorCache;
  logger: Logger;
  /** `missing` when no model is configured: tasks that need one fail at once with what to set. */
  model: (ModelConfig & { missing?: undefined }) | { missing: string[] };
  sandboxImage: string;
  /** The worker's warm browser for screenshots. */
  browsers: BrowserPool;
  /** Apps kept running at a branch head for the next copy change (absent: every change starts its own). */
  warmPreviews?: WarmPreviews | null;
  limits: SandboxLimits;
  commandTimeoutSec: number;
  attemptTimeoutSec: number;
  gitTimeoutSec: number;
  maxSteps: number;
  maxTokens: number;
  /** USD per million tokens for the cost estimate; null when not configured. */
  prices: { inputPerMTok: number; outputPerMTok: number } | null;
  /** Estimated cost budget per attempt in USD; 0 = none. */
  maxCostUsd: number;
  /** The model's context window; the conversation is compacted near it. */
  contextWindowTokens: number;
  /** Values redacted from every event (the model key); the environment's secrets are added per attempt. */
  secrets: Secret[];
  /** The host whose Docker engine this worker drives: setup caches are per host. */
  hostName: string;
  setupTimeoutSec: number;
  /** Setup caches unused for longer than this are removed. */
  setupCacheTtlMs: number;
  /** Past this many bytes of setup caches on the host, the least recently used go. */
  setupCacheBudgetBytes: number;
  /** PATCHBAY_SECRETS_KEY, to open the environment's secrets; undefined when not configured. */
  secretsKey: string | undefined;
  /** Attempts this worker is running, so the reaper and the cancel listener can find them. */
  active: Map<string, AbortController>;
  /** Called when an attempt starts or ends here (the worker reports itself at once: the Workers page). */
  onActiveChange?: () => void;
};

export type AttemptContext = {
  deps: AttemptProcessorDeps;
  ref: AttemptRef;
  work: AttemptWork;
  task: AttemptTask;
  /** Epoch ms past which the attempt is stopped (PATCHBAY_ATTEMPT_TIMEOUT_SEC). */
  deadline: number;
  /** When the reaper may remove this attempt's sandboxes even if nobody else does. */
  expiresAt: Date;
  signal: AbortSignal;
  sink: EventSink;
  log: Logger;
  /** The environment's setup settings and its opened secrets (empty when it has none). */
  setup: EnvironmentSetup;
};

/** The identity and limits every sandbox of the attempt shares; the role and network are the caller's. */
export function sandboxBase(ctx: AttemptContext): Omit<SandboxSpec, "role" | "network"> {
  const { deps, ref } = ctx;
  return {
    instanceId: deps.instanceId,
    attemptId: ref.attemptId,
    taskId: ref.taskId,
    workerId: deps.workerId,
    image: deps.sandboxImage,
    limits: deps.limits,
    expiresAt: ctx.expiresAt,
  };
}

export function sandboxSpec(ctx: AttemptContext, role: SandboxRole, network: string | null = null): SandboxSpec {
  return { ...sandboxBase(ctx), role, network };
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError("cancelled", "Cancelled.");
}

export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  return new AppError("internal", `Patchbay hit an internal error: ${String((error as Error)?.message ?? error).slice(0, 500)}`, { cause: error });
}
