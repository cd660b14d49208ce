// What a follow-up turn continues from: the latest patch of the chosen attempts of earlier turns, the
// base commit it applies to, and the conversation so far.
import { db } from "@/lib/db";
import { chooseAttempt } from "./choose-attempt";

export type EarlierTurns = {
  /** The base commit of the task's first turn, when it got that far. */
  baseCommit: string | null;
  /** The most recent non-empty patch of an earlier turn. */
  patch: string | null;
  /** The check result of the attempt that made that patch (null: no check ran). */
  checkPassed: boolean | null;
  /** That attempt's before/after screenshots as stored (lib/artifacts/preview-report.ts), or null. */
  previewReport: unknown;
  conversation: { prompt: string; reply: string }[];
};

export async function earlierTurns(taskId: string, beforeIndex: number): Promise<EarlierTurns> {
  const turns = await db().turn.findMany({
    where: { taskId, index: { lt: beforeIndex } },
    orderBy: { index: "asc" },
    select: {
      prompt: true,
      selectedAttemptId: true,
      attempts: {
        select: {
          id: true,
          index: true,
          status: true,
          checkPassed: true,
          filesChanged: true,
          additions: true,
          deletions: true,
          baseCommit: true,
          patch: true,
          previewReport: true,
          finalMessage: true,
          error: true,
        },
      },
    },
  });
  // With best-of-N, a turn continues from the attempt the person selected (or the recommended one).
  const attempts = turns.map((turn) => chooseAttempt(turn.attempts, turn.selectedAttemptId));
  const latest = attempts.findLast((attempt) => attempt?.patch);
  return {
    // The patch applies to its own attempt's base: the first turn's, or a newer one after "Update branch".
    baseCommit: latest?.baseCommit ?? attempts.find((attempt) => attempt?.baseCommit)?.baseCommit ?? null,
    patch: latest?.patch ?? null,
    checkPassed: latest?.checkPassed ?? null,
    previewReport: latest?.previewReport ?? null,
    conversation: turns.map((turn, index) => ({
      prompt: turn.prompt,
      reply: attempts[index]?.finalMessage ?? (attempts[index]?.error ? `(The attempt failed: ${attempts[index]?.error})` : "(No reply.)"),
    })),
  };
}

/** The task's change so far: every turn's (a Postgres integer bounds the turn index). */
export function taskChangeSoFar(taskId: string): Promise<EarlierTurns> {
  return earlierTurns(taskId, 2_147_483_647);
}
