// Queue names and payload schemas shared by producer (web) and consumer (worker). Payloads carry ids
// only: BullMQ stores job data in Redis in clear text, and the worker loads everything else from Postgres.
import { z } from "zod";

export const ATTEMPTS_QUEUE = "patchbay-attempts";

export const attemptJobSchema = z.strictObject({ attemptId: z.string().min(1).max(64) });
export type AttemptJob = z.infer<typeof attemptJobSchema>;

/** Pub/sub channel the web uses to tell workers to stop an attempt that is running. */
export const CONTROL_CHANNEL = "patchbay:control";
export const controlMessageSchema = z.strictObject({ action: z.literal("cancel"), attemptId: z.string() });
export type ControlMessage = z.infer<typeof controlMessageSchema>;

/** Key each worker refreshes; the reaper treats containers of a worker without it as orphans. */
export function workerHeartbeatKey(workerId: string): string {
  return `patchbay:worker:${workerId}:heartbeat`;
}

/** Copy mode: (re)build an environment's string catalog at its branch head (worker/copy/catalog-processor.ts). */
export const COPY_CATALOG_QUEUE = "patchbay-copy-catalogs";
export const catalogJobSchema = z.strictObject({ environmentId: z.string().min(1).max(64) });
export type CatalogJob = z.infer<typeof catalogJobSchema>;
/** One build per environment at a time: the job id is derived from the environment. */
export function catalogJobId(environmentId: string): string {
  return `catalog-${environmentId}`;
}

/** Pull requests: commit a task's change, push its branch, open or update its PR (worker/pull-requests). */
export const PULL_REQUESTS_QUEUE = "patchbay-pull-requests";
export const pullRequestJobSchema = z.strictObject({
  taskId: z.string().min(1).max(64),
  /** Instead of publishing: post this review task's findings to the task's pull request as one review. */
  postReviewOf: z.string().min(1).max(64).optional(),
  /** Instead of publishing: pull the pull request's review comments in as draft comments of the task. */
  importComments: z.literal(true).optional(),
  /** Instead of publishing: merge the base branch's head into the task's branch ("Update branch"). */
  updateBranch: z.literal(true).optional(),
});
export type PullRequestJob = z.infer<typeof pullRequestJobSchema>;

/**
 * Triggers from outside (worker/triggers): act on a verified webhook delivery, or send one of Patchbay's
 * replies to where it came from. Replies retry with backoff, so a forge outage delays them and loses none.
 */
export const TRIGGERS_QUEUE = "patchbay-triggers";
export const REPLY_KINDS = ["started", "finished", "refused"] as const;
export const triggerJobSchema = z.union([
  z.strictObject({
    triggerId: z.string().min(1).max(64),
    /** A reply to send; without it, the delivery is acted on. */
    reply: z.enum(REPLY_KINDS).optional(),
  }),
  /** A Slack message that belongs to no environment (a mention in a channel none claims): answered in place. */
  z.strictObject({ notice: z.strictObject({ channel: z.string().min(1).max(40), threadTs: z.string().min(1).max(40), text: z.string().min(1).max(2000) }) }),
]);
export type TriggerJob = z.infer<typeof triggerJobSchema>;
/** How many times a reply is tried (about four minutes in all with the backoff) before it shows as failed. */
export const REPLY_ATTEMPTS = 8;
