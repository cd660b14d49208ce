// The queue's entry for one attempt: parse the job, load the attempt, run it by the task's mode, and map
// every failure to a true final state with a message a person can act on. The attempt's sandboxes are
// removed whatever happens.
import { UnrecoverableError, type Job } from "bullmq";
import { AppError, isAppError } from "@/lib/errors";
import { attemptJobSchema } from "@/lib/queue/contracts";
import { createRedactor } from "@/lib/redact";
import { type AttemptRef, markAttemptFailed, transitionAttempt } from "@/lib/tasks/attempt-status";
import { loadAttemptWork } from "@/lib/tasks/attempt-work";
import { isFinished, type AttemptStatusValue } from "@/lib/tasks/task-status";
import { toAppError, type AttemptContext, type AttemptProcessorDeps } from "./attempt-context";
import { createEventSink } from "./event-sink";
import { runCodeAttempt } from "./run-code-attempt";
import { runCopyAttempt } from "./run-copy-attempt";
import { runPagesAttempt } from "./run-pages-attempt";
import { runSetupAttempt } from "./run-setup-attempt";
import { republishIfPullRequest } from "@/lib/pull-requests/pull-requests";
import { afterTriggeredTask } from "@/lib/triggers/trigger-outcomes";
import { environmentSetup, type EnvironmentSetup } from "@/worker/setup/environment-setup";

/** How long past its deadline an attempt's sandboxes may live before any reaper removes them. */
const EXPIRY_GRACE_MS = 10 * 60 * 1000;

export function createAttemptProcessor(deps: AttemptProcessorDeps) {
  return async function processAttempt(job: Job): Promise<void> {
    const parsed = attemptJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid job payload: ${parsed.error.message}`);
    const { attemptId } = parsed.data;
    // Registered before the attempt is read, so a cancel published from here on is never missed
    // (cancelTask sets cancelRequestedAt before it publishes).
    const controller = new AbortController();
    deps.active.set(attemptId, controller);
    deps.onActiveChange?.();
    try {
      await runAttempt(deps, attemptId, controller);
    } finally {
      deps.active.delete(attemptId);
      deps.onActiveChange?.();
    }
  };
}

async function runAttempt(deps: AttemptProcessorDeps, attemptId: string, controller: AbortController): Promise<void> {
  const work = await loadAttemptWork(attemptId);
  if (!work) throw new UnrecoverableError(`Attempt ${attemptId} does not exist.`);
  const task = work.turn.task;
  // Until the environment's secrets are open, only the worker's own (the model key) are redacted.
  const early: AttemptRef = { attemptId, taskId: task.id, redact: createRedactor(deps.secrets).redact };
  if (isFinished(work.status as AttemptStatusValue)) return;
  if (work.cancelRequestedAt || controller.signal.aborted) {
    await transitionAttempt(early, "cancelled", {}, "Cancelled before it started.");
    return;
  }

  let setup: EnvironmentSetup;
  try {
    setup = environmentSetup(task.environment, deps.secretsKey);
  } catch (error) {
    const message = toAppError(error).userMessage;
    await markAttemptFailed(early, message);
    throw new UnrecoverableError(message);
  }
  const deadline = Date.now() + deps.attemptTimeoutSec * 1000;
  const wallTimer = setTimeout(() => controller.abort(new AppError("timeout", "wall")), deps.attemptTimeoutSec * 1000);
  const log = deps.logger.child({ attemptId, taskId: task.id });
  // The environment's secrets are redacted from every event and every stored string, like the model key.
  const redactor = createRedactor([...deps.secrets, ...setup.secrets]);
  const ref: AttemptRef = { ...early, redact: redactor.redact };
  const ctx: AttemptContext = {
    deps,
    ref,
    work,
    task,
    deadline,
    expiresAt: new Date(deadline + EXPIRY_GRACE_MS),
    signal: controller.signal,
    sink: createEventSink(ref, redactor),
    log,
    setup,
  };
  const retried = work.status !== "queued";

  try {
    const started = await transitionAttempt(
      ref,
      "provisioning",
      { workerId: deps.workerId, error: null },
      retried ? "The previous worker stopped; starting this attempt again from a clean sandbox." : "Preparing the sandbox.",
    );
    if (!started) return;
    switch (task.mode) {
      case "code":
      case "ask":
      case "review":
        await runCodeAttempt(ctx, task.mode);
        break;
      case "copy":
        await runCopyAttempt(ctx);
        break;
      case "setup":
        await runSetupAttempt(ctx);
        break;
      case "pages":
        await runPagesAttempt(ctx);
        break;
      default: {
        const unknownMode: never = task.mode;
        throw new AppError("bad_request", `This task has an unknown mode (${String(unknownMode)}).`);
      }
    }
    // A follow-up on a task with a pull request goes to the same branch once its turn has finished.
    if (task.mode === "code") {
      await republishIfPullRequest(task.id).catch((error: unknown) => log.warn({ err: error }, "could not queue the pull request update"));
    }
  } catch (error) {
    // BullMQ keeps the message with the failed job in Redis: it goes through the redactor too.
    if (error instanceof UnrecoverableError) throw new UnrecoverableError(redactor.redact(error.message));
    await ctx.sink.flush().catch(() => undefined);
    if (controller.signal.aborted && !isWallTimeout(controller.signal)) {
      await transitionAttempt(ref, "cancelled", {}, "Cancelled.");
      return;
    }
    const appError = isWallTimeout(controller.signal)
      ? new AppError("timeout", `The attempt ran longer than ${Math.round(deps.attemptTimeoutSec / 60)} min and was stopped (PATCHBAY_ATTEMPT_TIMEOUT_SEC).`)
      : toAppError(error);
    if (appError.code === "internal") log.error({ err: error }, "attempt failed unexpectedly");
    await ctx.sink.emit({ type: "error", payload: { code: appError.code, message: appError.userMessage } }).catch(() => undefined);
    await markAttemptFailed(ref, appError.userMessage);
    throw new UnrecoverableError(redactor.redact(appError.userMessage));
  } finally {
    clearTimeout(wallTimer);
    await deps.driver.destroy(attemptId).catch((error: unknown) => {
      // The reaper removes it later; the attempt's outcome is already recorded.
      log.warn({ err: error }, "could not remove the sandbox; the reaper will retry");
    });
    // A task started by a webhook goes on from here: its PR is opened or its review posted, then a reply.
    await afterTriggeredTask(task.id).catch((error: unknown) => log.warn({ err: error }, "could not carry the trigger on"));
  }
}

function isWallTimeout(signal: AbortSignal): boolean {
  return signal.aborted && isAppError(signal.reason) && signal.reason.code === "timeout";
}
