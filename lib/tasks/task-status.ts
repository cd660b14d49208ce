// The attempt state machine. Every transition is checked here and written to Postgres (conditionally,
// so two writers cannot both win) before it is published.
import type { attemptStatuses } from "@/lib/events";

export type AttemptStatusValue = (typeof attemptStatuses)[number];
export type TaskStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

const transitions: Record<AttemptStatusValue, readonly AttemptStatusValue[]> = {
  queued: ["provisioning", "failed", "cancelled"],
  // A retried job (worker died) goes back through provisioning.
  provisioning: ["provisioning", "running", "failed", "cancelled"],
  running: ["provisioning", "completed", "failed", "cancelled"],
  completed: [],
  failed: [],
  cancelled: [],
};

export function canTransition(from: AttemptStatusValue, to: AttemptStatusValue): boolean {
  return transitions[from].includes(to);
}

/** The statuses an attempt may be in for a move to `to` to be allowed. */
export function allowedSources(to: AttemptStatusValue): AttemptStatusValue[] {
  return (Object.keys(transitions) as AttemptStatusValue[]).filter((from) => canTransition(from, to));
}

export function isFinished(status: AttemptStatusValue): boolean {
  return transitions[status].length === 0;
}

/** The statuses an attempt never leaves. */
export const FINISHED_ATTEMPT_STATUSES: readonly AttemptStatusValue[] = (Object.keys(transitions) as AttemptStatusValue[]).filter(isFinished);

/** A turn with several attempts: running while any runs, completed when any completed, else the common end. */
export function taskStatusOfAttempts(statuses: readonly AttemptStatusValue[]): TaskStatus {
  const shown = statuses.map(taskStatusOf);
  if (shown.length === 0) return "queued";
  if (shown.every((status) => status === "queued")) return "queued";
  if (shown.includes("running") || shown.includes("queued")) return "running";
  if (shown.includes("completed")) return "completed";
  return shown.every((status) => status === "cancelled") ? "cancelled" : "failed";
}

/** What the API and the task list show: provisioning is part of running for a person. */
export function taskStatusOf(status: AttemptStatusValue): TaskStatus {
  switch (status) {
    case "queued":
      return "queued";
    case "provisioning":
    case "running":
      return "running";
    case "completed":
    case "failed":
    case "cancelled":
      return status;
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}
