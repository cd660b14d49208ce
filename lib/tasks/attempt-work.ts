// What the worker needs to run one attempt, read in one query, and the small writes it makes while the
// attempt runs (token usage, steering messages). The worker reaches the database only through lib/.
import { db } from "@/lib/db";
import type { CopyChange } from "@/lib/copy/copy-request";
import type { SetupReport } from "@/lib/environments/setup-report";
import { redactDeep } from "@/lib/redact";
import type { AttemptRef } from "./attempt-status";
import type { AttemptStatusValue } from "./task-status";

export async function loadAttemptWork(attemptId: string) {
  return db().attempt.findUnique({
    where: { id: attemptId },
    select: {
      status: true,
      cancelRequestedAt: true,
      turn: {
        select: {
          index: true,
          prompt: true,
          copyRequest: true,
          rebaseOnto: true,
          task: {
            select: {
              id: true,
              branch: true,
              mode: true,
              reasoningEffort: true,
              reviewOfTaskId: true,
              reviewPullRequest: true,
              owner: { select: { role: true } },
              environment: {
                select: {
                  id: true,
                  repoUrl: true,
                  instructions: true,
                  model: true,
                  modelApi: true,
                  checkCommand: true,
                  preview: true,
                  copyPaths: true,
                  nodeVersion: true,
                  setupScript: true,
                  maintenanceScript: true,
                  envVars: true,
                  secrets: true,
                  repoCredential: true,
                  network: true,
                  cacheKeyFiles: true,
                  // Its kind says where a reviewed PR's head is; the sealed token stays sealed.
                  forge: true,
                },
              },
            },
          },
        },
      },
    },
  });
}

export type AttemptWork = NonNullable<Awaited<ReturnType<typeof loadAttemptWork>>>;
export type AttemptTask = AttemptWork["turn"]["task"];

export type AttemptUsage = { inputTokens: number; outputTokens: number; costUsd: number; steps: number };

export async function recordAttemptUsage(attemptId: string, usage: AttemptUsage): Promise<void> {
  await db().attempt.update({ where: { id: attemptId }, data: usage });
}

/** Stores the setup report through the attempt's redactor (a refused host name may hold a secret). */
export async function recordSetupReport(ref: AttemptRef, report: SetupReport): Promise<void> {
  await db().attempt.update({ where: { id: ref.attemptId }, data: { setup: ref.redact ? redactDeep(report, ref.redact) : report } });
}

/**
 * A copy attempt's text changes as soon as they are applied, so the person sees the word diff while the
 * check and the pictures still run (the attempt's final transition writes them again with its outcome).
 */
export async function recordCopyChanges(ref: AttemptRef, changes: CopyChange[]): Promise<void> {
  await db().attempt.update({ where: { id: ref.attemptId }, data: { copyChanges: changes } });
}

/** Steering messages sent to an attempt after event id `after`, oldest first, with the last id seen. */
export async function steeringSince(attemptId: string, after: bigint): Promise<{ lastId: bigint; texts: string[] }> {
  const rows = await db().event.findMany({
    where: { attemptId, type: "steer", id: { gt: after } },
    orderBy: { id: "asc" },
    select: { id: true, payload: true },
  });
  return {
    lastId: rows.at(-1)?.id ?? after,
    texts: rows.flatMap((row) => {
      const text = (row.payload as { text?: unknown } | null)?.text;
      return typeof text === "string" ? [text] : [];
    }),
  };
}

/** Current statuses of the given attempts (missing ids are absent from the map). */
export async function statusesOfAttempts(ids: string[]): Promise<Map<string, AttemptStatusValue>> {
  if (ids.length === 0) return new Map();
  const rows = await db().attempt.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
  return new Map(rows.map((row) => [row.id, row.status as AttemptStatusValue]));
}

/** Attempts that should be moving (queued, provisioning, running) and were created before `olderThan`. */
export async function listUnfinishedAttempts(olderThan: Date) {
  return db().attempt.findMany({
    where: { status: { in: ["queued", "provisioning", "running"] }, createdAt: { lt: olderThan } },
    select: { id: true, status: true, workerId: true, workerLabels: true, turn: { select: { taskId: true } } },
    take: 500,
  });
}
