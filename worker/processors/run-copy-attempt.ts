// A copy-mode attempt: no model. Edits are applied at the branch head in a sandbox, the diff is taken and
// held against the paths the author's role may change (the one place scope is enforced), then the
// repository's check runs and the pages where the strings appear are screenshotted before and after.
import { UnrecoverableError } from "bullmq";
import { type CopyRequest, storedCopyRequestSchema } from "@/lib/copy/copy-request";
import { allowedPathsFor, filesOutOfScope, parseStoredCopyPaths, scopeRejection } from "@/lib/copy/path-scope";
import { parseStoredPreview } from "@/lib/environments/environment-queries";
import { AppError } from "@/lib/errors";
import { transitionAttempt } from "@/lib/tasks/attempt-status";
import { recordCopyChanges } from "@/lib/tasks/attempt-work";
import { openRepoCredential } from "@/lib/repos/repo-credential";
import { applyCopyRequest } from "@/worker/copy/apply-copy-request";
import { extractDiff } from "@/worker/repos/extract-diff";
import type { SandboxHandle } from "@/worker/sandbox/driver";
import type { AttemptContext } from "./attempt-context";
import { provisionSandbox, runCheck } from "./attempt-stages";
import { type ChangePictures, startChangePictures } from "./change-pictures";

export async function runCopyAttempt(ctx: AttemptContext): Promise<void> {
  const { deps, ref, task } = ctx;
  const request = storedCopyRequestSchema.safeParse(ctx.work.turn.copyRequest);
  if (!request.success) throw new AppError("bad_request", "This copy task has no text changes to apply.");

  // Copy edits always apply to the branch as it is now; edits to text that changed since are refused. The
  // repository is fetched while the sandbox is made (as for the agent's attempts).
  const repository = (async () => {
    const mirrorPath = await deps.mirrors.sync(task.environment.repoUrl, openRepoCredential(task.environment.repoCredential, deps.secretsKey));
    return { mirrorPath, baseCommit: await deps.mirrors.resolveBranch(mirrorPath, task.branch) };
  })();
  const provisioned = await provisionSandbox(ctx, repository);
  const { mirrorPath, baseCommit } = await repository;
  const { sandbox } = provisioned;
  if (
    !(await transitionAttempt(
      ref,
      "running",
      { baseCommit, containerId: sandbox.containerId },
      `Applying ${request.data.edits.length} text change(s) at ${baseCommit.slice(0, 12)}.`,
    ))
  )
    return;

  const previewConfig = parseStoredPreview(task.environment.preview);
  const pictures = previewConfig
    ? startChangePictures(ctx, { config: previewConfig, routes: request.data.routes, mirrorPath, baseCommit, setupCache: provisioned.setup.cache })
    : null;
  try {
    let applied: Awaited<ReturnType<typeof applyAndCheck>>;
    try {
      applied = await applyAndCheck(ctx, sandbox, { request: request.data, mirrorPath, baseCommit, pictures });
    } catch (error) {
      await pictures?.cancel();
      throw error;
    }
    const { changes, diff, fields, check, previewReport } = applied;
    await transitionAttempt(
      ref,
      "completed",
      { ...fields, ...(previewReport ? { previewReport } : {}), ...(check ? { checkPassed: true, checkOutput: check.output } : {}) },
      `Done: ${changes.length} text change(s) in ${diff.filesChanged} file(s).`,
    );
  } finally {
    // The next change to this page is likely the copywriter's next step: its app is made ready now.
    pictures?.keepAppForNextChange();
  }
}

/**
 * Applies the edits, holds the diff against the role's paths, shows the word diff, then runs the check and
 * waits for the pictures (which run at the same time, on their own checkout). A refused change fails the
 * attempt here.
 */
async function applyAndCheck(
  ctx: AttemptContext,
  sandbox: SandboxHandle,
  input: { request: CopyRequest; mirrorPath: string; baseCommit: string; pictures: ChangePictures | null },
) {
  const { deps, ref, task, signal, sink } = ctx;
  const { changes } = await applyCopyRequest({
    driver: deps.driver,
    sandbox,
    mirrorPath: input.mirrorPath,
    baseCommit: input.baseCommit,
    request: input.request,
    signal,
  });
  const diff = await extractDiff(deps.driver, sandbox, input.baseCommit);
  await sink.emit({
    type: "message",
    payload: { text: changes.map((change) => `${change.path}:${change.line} "${change.before}" → "${change.after}"`).join("\n") },
  });
  await sink.emit({ type: "diff", payload: { filesChanged: diff.filesChanged, additions: diff.additions, deletions: diff.deletions } });

  const allowed = allowedPathsFor(parseStoredCopyPaths(task.environment.copyPaths), task.owner.role);
  const offending = filesOutOfScope(diff.files, allowed);
  if (offending.length > 0) {
    // Rejected at acceptance: the patch is not kept, so nothing out of scope can be downloaded or shipped.
    const message = scopeRejection(task.owner.role, offending, allowed ?? []);
    await sink.emit({ type: "error", payload: { code: "forbidden", message } });
    await transitionAttempt(ref, "failed", { copyChanges: changes, error: message, patch: null }, message);
    throw new UnrecoverableError(message);
  }

  // The word diff is what the person waits for first: shown now, while the check and the pictures run.
  await recordCopyChanges(ref, changes);
  const fields = { patch: diff.patch, filesChanged: diff.filesChanged, additions: diff.additions, deletions: diff.deletions, copyChanges: changes };
  // The pictures and the check at once: the "after" app runs on its own checkout with the patch applied,
  // so the check has the agent's workspace to itself.
  if (diff.filesChanged === 0) await input.pictures?.cancel();
  const pictures = input.pictures && diff.filesChanged > 0 ? input.pictures.ready(diff) : Promise.resolve(null);
  // Awaited below, after the check; a rejection (only a cancel) must not go unhandled meanwhile.
  pictures.catch(() => undefined);
  const check = task.environment.checkCommand ? await runCheck(ctx, sandbox, task.environment.checkCommand) : null;
  await deps.driver.release(sandbox);
  const previewReport = await pictures;
  if (check && !check.passed) {
    const message = `The text changes were applied, but the site's check (${task.environment.checkCommand}) failed, so they are not ready to ship. An engineer can see why in the task's timeline.`;
    await sink.emit({ type: "error", payload: { code: "check_failed", message } });
    await transitionAttempt(ref, "failed", { ...fields, checkPassed: false, checkOutput: check.output, error: message }, message);
    throw new UnrecoverableError(message);
  }
  return { changes, diff, fields, check, previewReport };
}
