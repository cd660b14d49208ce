// One attempt, end to end: parse job → provision (mirror, sandbox, workspace) → agent → diff → teardown.
// Every failure ends the attempt in a true state with a message a person can act on, and the sandbox is
// removed whatever happens.
import { UnrecoverableError, type Job } from "bullmq";
import { db } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import type { Logger } from "@/lib/logger";
import { attemptJobSchema } from "@/lib/queue/contracts";
import { createRedactor, type Secret } from "@/lib/redact";
import { markAttemptFailed, transitionAttempt, type AttemptRef } from "@/lib/tasks/attempt-status";
import { isFinished, type AttemptStatusValue } from "@/lib/tasks/task-status";
import { createModelClient, type ModelConfig, type ReasoningEffort } from "@/worker/agent/model";
import { LOOP_REPEATS, runAgent, type AgentStopReason } from "@/worker/agent/run-agent";
import { toolsFor } from "@/worker/agent/tools/registry";
import { createAgentPreview } from "@/worker/verify/agent-preview";
import { extractDiff } from "@/worker/repos/extract-diff";
import { loadWorkspace } from "@/worker/repos/load-workspace";
import { earlierTurns, restoreChanges } from "@/worker/repos/restore-changes";
import type { MirrorCache } from "@/worker/repos/mirror-cache";
import type { SandboxDriver, SandboxLimits } from "@/worker/sandbox/driver";
import { saveArtifact } from "@/lib/artifacts/artifact-queries";
import { withoutNul } from "@/lib/timeline/append-event";
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import { parseStoredPreview } from "@/lib/environments/environment-queries";
import type { BrowserPool } from "@/worker/verify/browser-pool";
import { captureScreenshots, runCheck } from "./attempt-stages";
import { createEventSink } from "./event-sink";
import { runCopyAttempt } from "./run-copy-attempt";

export type AttemptProcessorDeps = {
  instanceId: string;
  workerId: string;
  driver: SandboxDriver;
  mirrors: MirrorCache;
  logger: Logger;
  /** Null when no model is configured: tasks that need one fail at once with what to set. */
  model: (ModelConfig & { missing?: undefined }) | { missing: string[] };
  sandboxImage: string;
  /** The worker's warm browser for screenshots. */
  browsers: BrowserPool;
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
  secrets: Secret[];
  /** Attempts this worker is running, so the reaper and the cancel listener can find them. */
  active: Map<string, AbortController>;
};

export function createAttemptProcessor(deps: AttemptProcessorDeps) {
  return async function processAttempt(job: Job): Promise<void> {
    const parsed = attemptJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid job payload: ${parsed.error.message}`);
    const { attemptId } = parsed.data;
    // Registered before the attempt is read, so a cancel published from here on is never missed
    // (cancelTask sets cancelRequestedAt before it publishes).
    const controller = new AbortController();
    deps.active.set(attemptId, controller);
    try {
      await runAttempt(attemptId, controller);
    } finally {
      deps.active.delete(attemptId);
    }
  };

  async function runAttempt(attemptId: string, controller: AbortController): Promise<void> {
    const attempt = await db().attempt.findUnique({
      where: { id: attemptId },
      select: {
        status: true,
        cancelRequestedAt: true,
        turn: {
          select: {
            index: true,
            prompt: true,
            copyRequest: true,
            task: {
              select: {
                id: true,
                branch: true,
                mode: true,
                reasoningEffort: true,
                owner: { select: { role: true } },
                environment: { select: { repoUrl: true, instructions: true, model: true, modelApi: true, checkCommand: true, preview: true, copyPaths: true } },
              },
            },
          },
        },
      },
    });
    if (!attempt) throw new UnrecoverableError(`Attempt ${attemptId} does not exist.`);
    const task = attempt.turn.task;
    const ref: AttemptRef = { attemptId, taskId: task.id };
    if (isFinished(attempt.status as AttemptStatusValue)) return;
    if (attempt.cancelRequestedAt || controller.signal.aborted) {
      await transitionAttempt(ref, "cancelled", {}, "Cancelled before it started.");
      return;
    }

    const deadline = Date.now() + deps.attemptTimeoutSec * 1000;
    const wallTimer = setTimeout(() => controller.abort(new AppError("timeout", "wall")), deps.attemptTimeoutSec * 1000);
    const log = deps.logger.child({ attemptId, taskId: task.id });
    const sink = createEventSink(ref, createRedactor(deps.secrets));
    const retried = attempt.status !== "queued";

    try {
      const started = await transitionAttempt(
        ref,
        "provisioning",
        { workerId: deps.workerId, error: null },
        retried ? "The previous worker stopped; starting this attempt again from a clean sandbox." : "Preparing the sandbox.",
      );
      if (!started) return;
      if (task.mode === "copy") {
        await runCopyAttempt({ deps, ref, task, copyRequest: attempt.turn.copyRequest, deadline, signal: controller.signal, sink });
        return;
      }
      if (deps.model.missing) {
        throw new AppError(
          "model_not_configured",
          `No model is configured. Set ${deps.model.missing.join(" and ")} for the worker (see .env.example), then run the task again.`,
        );
      }
      const modelConfig: ModelConfig = {
        ...deps.model,
        model: task.environment.model ?? deps.model.model,
        api: task.environment.modelApi === "chat" ? "chat" : "responses",
        ...(isReasoningEffort(task.reasoningEffort) ? { reasoningEffort: task.reasoningEffort } : {}),
      };

      const earlier = await earlierTurns(task.id, attempt.turn.index);
      const mirrorPath = await deps.mirrors.sync(task.environment.repoUrl);
      // A follow-up continues on the task's original base commit, so its diff accumulates over turns.
      const baseCommit = earlier.baseCommit ?? (await deps.mirrors.resolveBranch(mirrorPath, task.branch));
      throwIfAborted(controller.signal);
      const expiresAt = new Date(deadline + 10 * 60 * 1000);
      const baseSpec = { network: null, instanceId: deps.instanceId, attemptId, taskId: task.id, workerId: deps.workerId, image: deps.sandboxImage, limits: deps.limits, expiresAt };
      let sandbox = await deps.driver.ensure({ ...baseSpec, role: "agent" });
      await loadWorkspace(deps.driver, sandbox, { mirrorPath, baseCommit, branch: task.branch, timeoutSec: deps.gitTimeoutSec });
      if (earlier.patch) await restoreChanges(deps.driver, sandbox, earlier.patch, controller.signal);
      const mode = task.mode === "ask" ? "ask" : "code";
      if (mode === "ask") {
        // Questions are answered from a read-only mount of the checkout: the agent cannot change anything.
        await deps.driver.release(sandbox);
        sandbox = await deps.driver.ensure({ ...baseSpec, role: "ask" });
      }
      if (!(await transitionAttempt(ref, "running", { baseCommit, containerId: sandbox.containerId }, `Sandbox ready at ${baseCommit.slice(0, 12)}.`))) return;

      let stopReason: AgentStopReason;
      let finalMessage = "";
      let agentError: AppError | null = null;
      const previewConfig = mode === "code" ? parseStoredPreview(task.environment.preview) : null;
      const agentPreview = previewConfig
        ? createAgentPreview({
            driver: deps.driver,
            browsers: deps.browsers,
            agentSandbox: sandbox,
            spec: { instanceId: deps.instanceId, attemptId, taskId: task.id, workerId: deps.workerId, expiresAt, image: deps.sandboxImage, limits: deps.limits },
            config: previewConfig,
            saveScreenshot: (png, metadata) => saveArtifact(attemptId, { kind: "screenshot", contentType: "image/png", extension: "png", bytes: png, metadata }),
          })
        : undefined;
      try {
        const result = await runAgent({
          model: createModelClient(modelConfig),
          mode,
          tools: toolsFor({ mode, preview: Boolean(agentPreview) }),
          ...(agentPreview ? { preview: agentPreview } : {}),
          driver: deps.driver,
          sandbox,
          prompt: attempt.turn.prompt,
          history: earlier.conversation,
          takeSteering: steeringReader(attemptId),
          environmentInstructions: task.environment.instructions,
          maxSteps: deps.maxSteps,
          maxTokens: deps.maxTokens,
          contextWindowTokens: deps.contextWindowTokens,
          prices: deps.prices,
          maxCostUsd: deps.maxCostUsd,
          deadline,
          commandTimeoutSec: deps.commandTimeoutSec,
          signal: controller.signal,
          emit: sink.emit,
          onUsage: (usage) => db().attempt.update({ where: { id: attemptId }, data: usage }).then(() => undefined),
        });
        stopReason = result.stopReason;
        finalMessage = result.finalMessage;
      } catch (error) {
        if (controller.signal.aborted) throw error;
        // A model failure mid-run still leaves work in the sandbox; keep it as a partial diff.
        agentError = toAppError(error);
        stopReason = "done";
      } finally {
        await agentPreview?.close();
      }
      await sink.flush();

      if (mode === "ask") {
        const problem = agentError?.userMessage ?? budgetMessage(stopReason, deps);
        if (problem) {
          await sink.emit({ type: "error", payload: { code: agentError?.code ?? "budget", message: problem } });
          await transitionAttempt(ref, "failed", { finalMessage: withoutNul(finalMessage) || null, error: problem }, problem);
          throw new UnrecoverableError(problem);
        }
        await transitionAttempt(ref, "completed", { patch: "", finalMessage: withoutNul(finalMessage) || null }, "Answered.");
        return;
      }

      const diff = await extractDiff(deps.driver, sandbox, baseCommit);
      await sink.emit({ type: "diff", payload: { filesChanged: diff.filesChanged, additions: diff.additions, deletions: diff.deletions } });
      const fields = { patch: diff.patch, filesChanged: diff.filesChanged, additions: diff.additions, deletions: diff.deletions, finalMessage: withoutNul(finalMessage) || null };
      const stopProblem = agentError?.userMessage ?? budgetMessage(stopReason, deps);
      if (stopProblem) {
        await sink.emit({ type: "error", payload: { code: agentError?.code ?? "budget", message: stopProblem } });
        await transitionAttempt(ref, "failed", { ...fields, error: stopProblem }, stopProblem);
        throw new UnrecoverableError(stopProblem);
      }
      const check = task.environment.checkCommand
        ? await runCheck(deps, sandbox, task.environment.checkCommand, controller.signal, sink.emit)
        : null;
      let previewReport: PreviewReport | null = null;
      if (previewConfig && diff.filesChanged > 0) {
        // The agent's container is done; the result preview mounts its workspace volume instead.
        await deps.driver.release(sandbox);
        previewReport = await captureScreenshots({
          deps,
          ref,
          config: previewConfig,
          changedFiles: diff.files,
          base: { mirrorPath, commit: baseCommit, branch: task.branch, gitTimeoutSec: deps.gitTimeoutSec },
          expiresAt,
          signal: controller.signal,
          emit: sink.emit,
        });
      }
      await transitionAttempt(
        ref,
        "completed",
        { ...fields, ...(previewReport ? { previewReport } : {}), ...(check ? { checkPassed: check.passed, checkOutput: check.output } : {}) },
        diff.filesChanged ? `Done: ${diff.filesChanged} file(s) changed.` : "Done: no files changed.",
      );
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      await sink.flush().catch(() => undefined);
      if (controller.signal.aborted && !isWallTimeout(controller.signal)) {
        await transitionAttempt(ref, "cancelled", {}, "Cancelled.");
        return;
      }
      const appError = isWallTimeout(controller.signal)
        ? new AppError("timeout", `The attempt ran longer than ${Math.round(deps.attemptTimeoutSec / 60)} min and was stopped (PATCHBAY_ATTEMPT_TIMEOUT_SEC).`)
        : toAppError(error);
      if (appError.code === "internal") log.error({ err: error }, "attempt failed unexpectedly");
      await sink.emit({ type: "error", payload: { code: appError.code, message: appError.userMessage } }).catch(() => undefined);
      await markAttemptFailed(ref, appError.userMessage);
      throw new UnrecoverableError(appError.userMessage);
    } finally {
      clearTimeout(wallTimer);
      await deps.driver.destroy(attemptId).catch((error: unknown) => {
        // The reaper removes it later; the attempt's outcome is already recorded.
        log.warn({ err: error }, "could not remove the sandbox; the reaper will retry");
      });
    }
  }
}

/** Messages sent to this attempt while it runs (steer events), each returned once, oldest first. */
function steeringReader(attemptId: string): () => Promise<string[]> {
  let after = 0n;
  return async () => {
    const rows = await db().event.findMany({
      where: { attemptId, type: "steer", id: { gt: after } },
      orderBy: { id: "asc" },
      select: { id: true, payload: true },
    });
    const last = rows.at(-1);
    if (last) after = last.id;
    return rows.flatMap((row) => {
      const text = (row.payload as { text?: unknown } | null)?.text;
      return typeof text === "string" ? [text] : [];
    });
  };
}

function isReasoningEffort(value: string | null): value is ReasoningEffort {
  return value === "minimal" || value === "low" || value === "medium" || value === "high";
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError("cancelled", "Cancelled.");
}

function isWallTimeout(signal: AbortSignal): boolean {
  return signal.aborted && isAppError(signal.reason) && signal.reason.code === "timeout";
}

function budgetMessage(reason: AgentStopReason, deps: AttemptProcessorDeps): string | null {
  switch (reason) {
    case "done":
      return null;
    case "max_steps":
      return `The agent used its budget of ${deps.maxSteps} steps without finishing (PATCHBAY_MAX_STEPS). The partial diff is kept.`;
    case "tokens":
      return `The agent used its token budget (${deps.maxTokens.toLocaleString("en-US")} tokens, PATCHBAY_MAX_TOKENS) without finishing. The partial diff is kept.`;
    case "cost":
      return `The agent reached its cost budget (about $${deps.maxCostUsd.toFixed(2)}, PATCHBAY_MAX_COST_USD, estimated from token prices). The partial diff is kept.`;
    case "loop":
      return `The agent was repeating itself: the same command with the same result ${LOOP_REPEATS} times in a row. It was stopped; the partial diff is kept.`;
    case "wall_time":
      return `The agent ran out of time (${Math.round(deps.attemptTimeoutSec / 60)} min, PATCHBAY_ATTEMPT_TIMEOUT_SEC). The partial diff is kept.`;
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  return new AppError("internal", `Patchbay hit an internal error: ${String((error as Error)?.message ?? error).slice(0, 500)}`, { cause: error });
}
