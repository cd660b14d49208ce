// Follow-ups continue where the task left off: the workspace is checked out at the task's base commit
// and the task's latest patch is applied inside the sandbox. That works whether or not any container of
// the earlier turn still exists, and the new diff (against the same base) includes the earlier changes.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { chooseAttempt } from "@/lib/tasks/choose-attempt";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";

export type EarlierTurns = {
  /** The base commit of the task's first turn, when it got that far. */
  baseCommit: string | null;
  /** The most recent non-empty patch of an earlier turn. */
  patch: string | null;
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
        select: { id: true, index: true, status: true, checkPassed: true, filesChanged: true, additions: true, deletions: true, baseCommit: true, patch: true, finalMessage: true, error: true },
      },
    },
  });
  // With best-of-N, a turn continues from the attempt the person selected (or the recommended one).
  const attempts = turns.map((turn) => chooseAttempt(turn.attempts, turn.selectedAttemptId));
  return {
    baseCommit: attempts.find((attempt) => attempt?.baseCommit)?.baseCommit ?? null,
    patch: attempts.findLast((attempt) => attempt?.patch)?.patch ?? null,
    conversation: turns.map((turn, index) => ({
      prompt: turn.prompt,
      reply: attempts[index]?.finalMessage ?? (attempts[index]?.error ? `(The attempt failed: ${attempts[index]?.error})` : "(No reply.)"),
    })),
  };
}

export function restoreChanges(driver: SandboxDriver, sandbox: SandboxHandle, patch: string, signal: AbortSignal): Promise<void> {
  return applyPatchInSandbox(driver, sandbox, patch, signal, "Could not restore the changes of the earlier turns on the base commit");
}

/** `git apply` inside the sandbox, as the agent user, on its workspace. */
export async function applyPatchInSandbox(driver: SandboxDriver, sandbox: SandboxHandle, patch: string, signal: AbortSignal, failure: string): Promise<void> {
  const result = await driver.exec(sandbox, ["git", "apply", "--binary", "--whitespace=nowarn", "-"], {
    timeoutSec: 120,
    stdin: patch,
    maxOutputBytes: 256 * 1024,
    signal,
  });
  if (result.exitCode !== 0) {
    throw new AppError("sandbox_error", `${failure}: ${result.stderr.toString().trim().slice(-800)}`);
  }
}
