// A code, ask or review attempt: the model works in the sandbox through its tools. Code attempts end with
// the diff, the environment's check and before/after screenshots; ask attempts answer from a read-only
// checkout and produce no diff; review attempts read another task's change (restored in the workspace),
// report findings, and keep that change as their diff, for the findings to be shown on.
import { UnrecoverableError } from "bullmq";
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import { saveArtifact } from "@/lib/artifacts/artifact-queries";
import { parseStoredPreview } from "@/lib/environments/environment-queries";
import { forgeSummary } from "@/lib/forge/forge-connection";
import { pullRequestHeadRef } from "@/lib/forge/pull-request-address";
import { AppError } from "@/lib/errors";
import { transitionAttempt } from "@/lib/tasks/attempt-status";
import { recordAttemptUsage, steeringSince } from "@/lib/tasks/attempt-work";
import { earlierTurns, taskChangeSoFar } from "@/lib/tasks/earlier-turns";
import { patchFileStats } from "@/lib/pull-requests/pull-request-text";
import { recordFinding, reviewFindings } from "@/lib/reviews/review-tasks";
import type { FindingReports } from "@/worker/agent/tools/report-finding";
import { withoutNul } from "@/lib/timeline/append-event";
import { openRepoCredential } from "@/lib/repos/repo-credential";
import { createModelClient, type ModelConfig, type ReasoningEffort } from "@/worker/agent/model";
import { LOOP_REPEATS, runAgent, type AgentStopReason } from "@/worker/agent/run-agent";
import { toolsFor } from "@/worker/agent/tools/registry";
import { commentsOfTurn, recordCommentReply } from "@/lib/review-comments/review-comments";
import { extractDiff } from "@/worker/repos/extract-diff";
import { restoreChanges, restoreChangesOnto } from "@/worker/repos/restore-changes";
import { pullRequestChange } from "@/worker/repos/pull-request-change";
import { createAgentPreview } from "@/worker/verify/agent-preview";
import { sandboxBase, sandboxSpec, throwIfAborted, toAppError, type AttemptContext, type AttemptProcessorDeps } from "./attempt-context";
import { captureScreenshots, phaseEnv, provisionSandbox, reportAgentEgress, runCheck } from "./attempt-stages";

export async function runCodeAttempt(ctx: AttemptContext, mode: "code" | "ask" | "review"): Promise<void> {
  const { deps, ref, task, signal, sink } = ctx;
  const { attemptId } = ref;
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

  // A follow-up continues on the task's base commit, so its diff accumulates over turns; a conflict turn of
  // "Update branch" moves the change onto the newer base instead, conflict markers and all.
  const rebaseOnto = mode === "code" ? ctx.work.turn.rebaseOnto : null;
  // The repository is fetched while the sandbox is made (they do not need each other until the checkout).
  // The earlier turns (a database read) are read during the fetch; a review reads its change from the mirror.
  const turns = mode === "review" ? null : earlierTurns(task.id, ctx.work.turn.index);
  turns?.catch(() => undefined);
  const repository = (async () => {
    const mirrorPath = await deps.mirrors.sync(task.environment.repoUrl, openRepoCredential(task.environment.repoCredential, deps.secretsKey));
    const earlier = turns ? { ...(await turns), head: null } : await reviewedChange(ctx, mirrorPath);
    const baseCommit = rebaseOnto ?? earlier.baseCommit ?? (await deps.mirrors.resolveBranch(mirrorPath, task.branch));
    return { mirrorPath, baseCommit, earlier };
  })();
  const provisioned = await provisionSandbox(ctx, repository);
  // An ask attempt works in a read-only sandbox of its own (below), with a shell of its own.
  const shell = mode === "ask" ? undefined : provisioned.shell;
  const { mirrorPath, baseCommit, earlier } = await repository;
  throwIfAborted(signal);
  let sandbox = provisioned.sandbox;
  if (earlier.patch && rebaseOnto) await restoreChangesOnto(deps.driver, sandbox, earlier.patch, signal);
  else if (earlier.patch) await restoreChanges(deps.driver, sandbox, earlier.patch, signal);
  if (mode === "ask") {
    // Questions are answered from a read-only mount of the checkout: the agent cannot change anything.
    await provisioned.shell.close();
    await deps.driver.release(sandbox);
    sandbox = await deps.driver.ensure({ ...sandboxSpec(ctx, "ask"), env: phaseEnv(ctx) });
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
        spec: { ...sandboxBase(ctx), env: phaseEnv(ctx) },
        config: previewConfig,
        saveScreenshot: (png, metadata) => saveArtifact(attemptId, { kind: "screenshot", contentType: "image/png", extension: "png", bytes: png, metadata }),
      })
    : undefined;
  // A turn sent from review comments: the agent answers each one (reply_to_comment).
  const comments = mode === "code" ? await commentsOfTurn(task.id, ctx.work.turn.index) : [];
  const redact = (text: string) => (ctx.ref.redact ? ctx.ref.redact(text) : text);
  const recordReply = (number: number, answer: { resolved: boolean; reply: string }) =>
    recordCommentReply(task.id, ctx.work.turn.index, number, { resolved: answer.resolved, reply: redact(answer.reply) });
  // A review reports findings (report_finding), stored as they come.
  const findings: FindingReports = {
    record: async (finding) => {
      await recordFinding(attemptId, {
        ...finding,
        explanation: redact(finding.explanation),
        ...(finding.suggestion ? { suggestion: redact(finding.suggestion) } : {}),
      });
    },
  };
  try {
    const result = await runAgent({
      model: createModelClient(modelConfig),
      mode,
      tools: toolsFor({
        mode,
        preview: Boolean(agentPreview),
        ...(comments.length > 0 ? { comments: { comments, record: recordReply } } : {}),
        ...(mode === "review" ? { findings } : {}),
      }),
      ...(agentPreview ? { preview: agentPreview } : {}),
      driver: deps.driver,
      sandbox,
      ...(shell ? { shell } : {}),
      prompt: ctx.work.turn.prompt,
      history: earlier.conversation,
      takeSteering: steeringReader(attemptId),
      environmentInstructions: task.environment.instructions,
      maxSteps: deps.maxSteps,
      maxTokens: deps.maxTokens,
      contextWindowTokens: deps.contextWindowTokens,
      prices: deps.prices,
      maxCostUsd: deps.maxCostUsd,
      deadline: ctx.deadline,
      commandTimeoutSec: deps.commandTimeoutSec,
      signal,
      emit: sink.emit,
      onUsage: (usage) => recordAttemptUsage(attemptId, usage),
    });
    stopReason = result.stopReason;
    finalMessage = result.finalMessage;
  } catch (error) {
    if (signal.aborted) throw error;
    // A model failure mid-run still leaves work in the sandbox; keep it as a partial diff.
    agentError = toAppError(error);
    stopReason = "done";
  } finally {
    await agentPreview?.close();
  }
  await reportAgentEgress(ctx, provisioned);
  await sink.flush();
  const message = withoutNul(finalMessage) || null;
  const problem = agentError?.userMessage ?? budgetMessage(stopReason, deps);

  if (mode === "ask") {
    if (problem) await failWith(ctx, agentError?.code ?? "budget", problem, { finalMessage: message });
    await transitionAttempt(ref, "completed", { patch: "", finalMessage: message }, "Answered.");
    return;
  }
  if (mode === "review") {
    // The reviewed change is this task's diff: the findings are anchored in it. What the agent changed is not kept.
    const files = patchFileStats(earlier.patch ?? "");
    const fields = {
      patch: earlier.patch ?? "",
      filesChanged: files.length,
      additions: files.reduce((sum, file) => sum + file.added, 0),
      deletions: files.reduce((sum, file) => sum + file.removed, 0),
      finalMessage: message,
      ...(earlier.head ? { reviewedHead: earlier.head } : {}),
    };
    if (problem) await failWith(ctx, agentError?.code ?? "budget", problem, fields);
    const count = (await reviewFindings(attemptId)).length;
    await transitionAttempt(ref, "completed", fields, `Reviewed: ${count} finding(s).`);
    return;
  }

  const diff = await extractDiff(deps.driver, sandbox, baseCommit);
  await sink.emit({ type: "diff", payload: { filesChanged: diff.filesChanged, additions: diff.additions, deletions: diff.deletions } });
  const fields = { patch: diff.patch, filesChanged: diff.filesChanged, additions: diff.additions, deletions: diff.deletions, finalMessage: message };
  if (problem) await failWith(ctx, agentError?.code ?? "budget", problem, fields);
  const check = task.environment.checkCommand ? await runCheck(ctx, sandbox, task.environment.checkCommand) : null;
  let previewReport: PreviewReport | null = null;
  if (previewConfig && diff.filesChanged > 0) {
    // The agent's container is done; the result preview mounts its workspace volume instead.
    await deps.driver.release(sandbox);
    previewReport = await captureScreenshots(ctx, {
      config: previewConfig,
      changedFiles: diff.files,
      mirrorPath,
      baseCommit,
      setupCache: provisioned.setup.cache,
    });
  }
  await transitionAttempt(
    ref,
    "completed",
    { ...fields, ...(previewReport ? { previewReport } : {}), ...(check ? { checkPassed: check.passed, checkOutput: check.output } : {}) },
    diff.filesChanged ? `Done: ${diff.filesChanged} file(s) changed.` : "Done: no files changed.",
  );
}

/**
 * What a review reads: the reviewed task's change so far (its base commit and cumulative patch), or a pull
 * request's change against the branch it merges into, read from the mirror (with the head it reviewed).
 */
async function reviewedChange(ctx: AttemptContext, mirrorPath: string) {
  const { task } = ctx;
  if (task.reviewPullRequest !== null) {
    const change = await pullRequestChange(mirrorPath, {
      number: task.reviewPullRequest,
      headRef: pullRequestHeadRef(forgeSummary(task.environment.forge)?.kind, task.reviewPullRequest),
      baseBranch: task.branch,
      timeoutMs: ctx.deps.gitTimeoutSec * 1000,
    });
    return { ...change, conversation: [] };
  }
  const change = task.reviewOfTaskId ? await taskChangeSoFar(task.reviewOfTaskId) : null;
  if (!change?.patch || !change.baseCommit) throw new AppError("bad_request", "The reviewed task has no change to review (it may have been deleted).");
  return { ...change, conversation: [], head: null };
}

/** Ends the attempt as failed with what was produced so far; never returns. */
async function failWith(ctx: AttemptContext, code: string, problem: string, fields: Record<string, unknown>): Promise<never> {
  await ctx.sink.emit({ type: "error", payload: { code, message: problem } });
  await transitionAttempt(ctx.ref, "failed", { ...fields, error: problem }, problem);
  throw new UnrecoverableError(problem);
}

/** Messages sent to this attempt while it runs (steer events), each returned once, oldest first. */
function steeringReader(attemptId: string): () => Promise<string[]> {
  let after = 0n;
  return async () => {
    const { lastId, texts } = await steeringSince(attemptId, after);
    after = lastId;
    return texts;
  };
}

function isReasoningEffort(value: string | null): value is ReasoningEffort {
  return value === "minimal" || value === "low" || value === "medium" || value === "high";
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
