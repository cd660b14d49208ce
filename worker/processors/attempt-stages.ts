// Stages an attempt runs after its change is made, shared by code and copy attempts: the environment's
// check command and the before/after screenshots.
import { saveArtifact } from "@/lib/artifacts/artifact-queries";
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import type { PreviewConfig } from "@/lib/environments/preview-config";
import type { AttemptRef } from "@/lib/tasks/attempt-status";
import { capForModel, chunkForEvents } from "@/worker/agent/tools/output-cap";
import type { SandboxHandle } from "@/worker/sandbox/driver";
import { detectRoutes } from "@/worker/verify/detect-routes";
import { runScreenshotStage, type ScreenshotStageInput } from "@/worker/verify/screenshot-stage";
import type { EventSink } from "./event-sink";
import type { AttemptProcessorDeps } from "./run-attempt";

/**
 * Before/after screenshots. Problems with the app (install, start, a route) are part of the report; an
 * unexpected failure of the stage itself is reported the same way, so it never costs the attempt its diff.
 */
export async function captureScreenshots(input: {
  deps: AttemptProcessorDeps;
  ref: AttemptRef;
  config: PreviewConfig;
  changedFiles: string[];
  /** Overrides the configured routes (copy mode knows the pages its strings appear on). */
  routes?: string[];
  base: ScreenshotStageInput["base"];
  expiresAt: Date;
  signal: AbortSignal;
  emit: EventSink["emit"];
}): Promise<PreviewReport> {
  const { deps, ref, config } = input;
  const configured = config.routes.mode === "fixed" ? config.routes.paths : detectRoutes(input.changedFiles, config.routes.fallback);
  const routes = input.routes?.length ? input.routes : configured;
  const started = Date.now();
  try {
    return await runScreenshotStage({
      driver: deps.driver,
      browsers: deps.browsers,
      saveArtifact: (kind, png, metadata) => saveArtifact(ref.attemptId, { kind, contentType: "image/png", extension: "png", bytes: png, metadata }),
      sandbox: {
        instanceId: deps.instanceId,
        attemptId: ref.attemptId,
        taskId: ref.taskId,
        workerId: deps.workerId,
        expiresAt: input.expiresAt,
        image: deps.sandboxImage,
        limits: deps.limits,
      },
      config,
      routes,
      base: input.base,
      signal: input.signal,
      emit: input.emit,
    });
  } catch (error) {
    if (input.signal.aborted) throw error;
    deps.logger.warn({ err: error, attemptId: ref.attemptId }, "screenshot stage failed");
    const message = `Screenshots could not be taken: ${(error as Error).message}`;
    await input.emit({ type: "preview", payload: { side: "before", stage: "failed", message } });
    return { routes, shots: [], failures: [{ side: "before", stage: "sandbox", message, logTail: "" }], blockedRequests: [], durationMs: Date.now() - started };
  }
}

/**
 * The environment's check (e.g. its tests) on the agent's final workspace, after the diff was taken so
 * build output cannot end up in it. Shown in the timeline like a command; ranks best-of-N attempts.
 */
export async function runCheck(
  deps: AttemptProcessorDeps,
  sandbox: SandboxHandle,
  command: string,
  signal: AbortSignal,
  emit: EventSink["emit"],
): Promise<{ passed: boolean; output: string }> {
  const callId = "check";
  await emit({ type: "tool.begin", payload: { callId, tool: "check", command } });
  const result = await deps.driver.exec(sandbox, ["bash", "-lc", command], { timeoutSec: Math.max(deps.commandTimeoutSec, 600), maxOutputBytes: 1024 * 1024, signal });
  const output = capForModel(Buffer.concat([result.stdout, result.stderr]).toString("utf8"), 8 * 1024);
  for (const chunk of chunkForEvents(output)) await emit({ type: "tool.output", payload: { callId, stream: "stdout", chunk } });
  const passed = result.exitCode === 0;
  await emit({ type: "tool.end", payload: { callId, tool: "check", ok: passed, exitCode: result.exitCode, durationMs: result.durationMs, ...(result.timedOut ? { timedOut: true } : {}) } });
  return { passed, output };
}

