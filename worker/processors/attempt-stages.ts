// The stages attempts share: the repository into a sandbox before the work, and after it the
// environment's check command and the before/after screenshots.
import { saveArtifact } from "@/lib/artifacts/artifact-queries";
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import type { PreviewConfig } from "@/lib/environments/preview-config";
import { capForModel, chunkForEvents } from "@/worker/agent/tools/output-cap";
import { loadWorkspace } from "@/worker/repos/load-workspace";
import type { SandboxHandle, SandboxRole } from "@/worker/sandbox/driver";
import { detectRoutes } from "@/worker/verify/detect-routes";
import { runScreenshotStage } from "@/worker/verify/screenshot-stage";
import { sandboxBase, sandboxSpec, type AttemptContext } from "./attempt-context";

/** The sandbox the work happens in, with the repository checked out at `baseCommit`. */
export async function provisionSandbox(ctx: AttemptContext, input: { mirrorPath: string; baseCommit: string; role?: SandboxRole }): Promise<SandboxHandle> {
  const { deps, task } = ctx;
  const sandbox = await deps.driver.ensure(sandboxSpec(ctx, input.role ?? "agent"));
  await loadWorkspace(deps.driver, sandbox, {
    mirrorPath: input.mirrorPath,
    baseCommit: input.baseCommit,
    branch: task.branch,
    timeoutSec: deps.gitTimeoutSec,
  });
  return sandbox;
}

/**
 * Before/after screenshots. Problems with the app (install, start, a route) are part of the report; an
 * unexpected failure of the stage itself is reported the same way, so it never costs the attempt its diff.
 */
export async function captureScreenshots(
  ctx: AttemptContext,
  input: {
    config: PreviewConfig;
    changedFiles: string[];
    /** Overrides the configured routes (copy mode knows the pages its strings appear on). */
    routes?: string[];
    mirrorPath: string;
    baseCommit: string;
  },
): Promise<PreviewReport> {
  const { deps, ref } = ctx;
  const { config } = input;
  const configured = config.routes.mode === "fixed" ? config.routes.paths : detectRoutes(input.changedFiles, config.routes.fallback);
  const routes = input.routes?.length ? input.routes : configured;
  const started = Date.now();
  try {
    return await runScreenshotStage({
      driver: deps.driver,
      browsers: deps.browsers,
      saveArtifact: (kind, png, metadata) => saveArtifact(ref.attemptId, { kind, contentType: "image/png", extension: "png", bytes: png, metadata }),
      sandbox: sandboxBase(ctx),
      config,
      routes,
      base: { mirrorPath: input.mirrorPath, commit: input.baseCommit, branch: ctx.task.branch, gitTimeoutSec: deps.gitTimeoutSec },
      signal: ctx.signal,
      emit: ctx.sink.emit,
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    deps.logger.warn({ err: error, attemptId: ref.attemptId }, "screenshot stage failed");
    const message = `Screenshots could not be taken: ${(error as Error).message}`;
    await ctx.sink.emit({ type: "preview", payload: { side: "before", stage: "failed", message } });
    return { routes, shots: [], failures: [{ side: "before", stage: "sandbox", message, logTail: "" }], blockedRequests: [], durationMs: Date.now() - started };
  }
}

/**
 * The environment's check (e.g. its tests) on the agent's final workspace, after the diff was taken so
 * build output cannot end up in it. Shown in the timeline like a command; ranks best-of-N attempts.
 */
export async function runCheck(ctx: AttemptContext, sandbox: SandboxHandle, command: string): Promise<{ passed: boolean; output: string }> {
  const { deps, signal } = ctx;
  const emit = ctx.sink.emit;
  const callId = "check";
  await emit({ type: "tool.begin", payload: { callId, tool: "check", command } });
  const result = await deps.driver.exec(sandbox, ["bash", "-lc", command], {
    timeoutSec: Math.max(deps.commandTimeoutSec, 600),
    maxOutputBytes: 1024 * 1024,
    signal,
  });
  const output = capForModel(Buffer.concat([result.stdout, result.stderr]).toString("utf8"), 8 * 1024);
  for (const chunk of chunkForEvents(output)) await emit({ type: "tool.output", payload: { callId, stream: "stdout", chunk } });
  const passed = result.exitCode === 0;
  await emit({
    type: "tool.end",
    payload: { callId, tool: "check", ok: passed, exitCode: result.exitCode, durationMs: result.durationMs, ...(result.timedOut ? { timedOut: true } : {}) },
  });
  return { passed, output };
}
