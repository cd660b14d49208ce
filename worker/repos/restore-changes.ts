// Follow-ups continue where the task left off: the workspace is checked out at the task's base commit
// and the task's latest patch is applied inside the sandbox. That works whether or not any container of
// the earlier turn still exists, and the new diff (against the same base) includes the earlier changes.
import { AppError } from "@/lib/errors";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";

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

/**
 * The task's change onto a newer base ("Update branch" with conflicts): a three-way apply inside the sandbox,
 * which has the repository's history, leaving git's conflict markers where the change and the base collide.
 * Returns the conflicting files; the index is left as the checkout's, so the diff is taken as usual.
 */
export async function restoreChangesOnto(driver: SandboxDriver, sandbox: SandboxHandle, patch: string, signal: AbortSignal): Promise<string[]> {
  const result = await driver.exec(sandbox, ["git", "apply", "--3way", "--binary", "--whitespace=nowarn", "-"], {
    timeoutSec: 120,
    stdin: patch,
    maxOutputBytes: 256 * 1024,
    signal,
  });
  const stderr = result.stderr.toString();
  const conflicts = [...stderr.matchAll(/^U (.+)$/gm)].map((match) => match[1] ?? "").filter(Boolean);
  if (result.exitCode !== 0 && conflicts.length === 0) {
    throw new AppError("sandbox_error", `Could not bring the task's changes onto the new base: ${stderr.trim().slice(-800)}`);
  }
  const reset = await driver.exec(sandbox, ["git", "reset", "-q"], { timeoutSec: 60, maxOutputBytes: 64 * 1024, signal });
  if (reset.exitCode !== 0) throw new AppError("sandbox_error", `Could not prepare the workspace: ${reset.stderr.toString().trim().slice(-400)}`);
  return conflicts;
}
