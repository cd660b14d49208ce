// The stages attempts share: the repository into a sandbox before the work, and after it the
// environment's check command and the before/after screenshots.
import { saveArtifact } from "@/lib/artifacts/artifact-queries";
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import { type BeforePictureIdentity, findBeforePicture, keepBeforePicture } from "@/lib/artifacts/before-pictures";
import type { PreviewConfig, Viewport } from "@/lib/environments/preview-config";
import { capForModel, chunkForEvents } from "@/worker/agent/tools/output-cap";
import { loadWorkspace } from "@/worker/repos/load-workspace";
import type { CacheVolumes, SandboxHandle } from "@/worker/sandbox/driver";
import { detectRoutes } from "@/worker/verify/detect-routes";
import { type BeforePictures, runScreenshotStage, type ScreenshotStageInput } from "@/worker/verify/screenshot-stage";
import { recordSetupReport } from "@/lib/tasks/attempt-work";
import { blockedHosts, parseAccessLog, squidConfig } from "@/worker/setup/egress-proxy-config";
import { createShellSession, type ShellSession } from "@/worker/agent/tools/shell-session";
import { prepareEnvironment, readProxyLog, type RepositoryInput, type SetupOutcome } from "@/worker/setup/prepare-environment";
import { containerEnv } from "@/worker/setup/sandbox-env";
import { sandboxBase, sandboxSpec, throwIfAborted, type AttemptContext } from "./attempt-context";

export type Provisioned = {
  sandbox: SandboxHandle;
  setup: SetupOutcome;
  /** The agent's egress proxy when the environment lets the agent reach the network. */
  agentProxy: SandboxHandle | null;
  /** The sandbox's shell session (started during the checkout), for the agent's commands. */
  shell: ShellSession;
};

/**
 * The sandbox the work happens in: the setup phase (or its cache) first, then the agent's container on
 * the same volumes with the repository checked out at `baseCommit`, with no network unless the
 * environment allows the agent the allowlist or any public host (through its own proxy).
 *
 * The repository may still be on its way (the mirror fetching): the volumes and the container, which do not
 * need it, are made meanwhile, and only a setup script or the checkout waits for it.
 */
export async function provisionSandbox(ctx: AttemptContext, repository: RepositoryInput | Promise<RepositoryInput>): Promise<Provisioned> {
  const { deps } = ctx;
  try {
    return await makeSandbox(ctx, repository);
  } finally {
    // The warm sandbox this attempt may have taken is replaced only now: making one is a container create
    // and start, which would slow this attempt's own Docker calls down if it ran alongside them.
    void deps.driver.warm?.fill();
  }
}

async function makeSandbox(ctx: AttemptContext, repository: RepositoryInput | Promise<RepositoryInput>): Promise<Provisioned> {
  const { deps, task, setup } = ctx;
  const repo = Promise.resolve(repository);
  // Awaited below; a failure that comes while provisioning fails for another reason must not go unhandled.
  repo.catch(() => undefined);
  const outcome = await prepareEnvironment(ctx, repo);
  // A pending cache restore starts at once and runs while the agent's container starts and the repository
  // is copied in; the checkout waits for it. Marked handled now: it is awaited below, after other awaits.
  const restored = outcome.pendingRestore ? deps.driver.restoreCache(sandboxSpec(ctx, "agent"), outcome.pendingRestore) : undefined;
  restored?.catch(() => undefined);
  // Stored while the agent's container and shell start: a database write need not hold them up.
  const reported = recordSetupReport(ctx.ref, outcome.report);
  reported.catch(() => undefined);
  try {
    throwIfAborted(ctx.signal);
    const agentNetwork = setup.config.network.agent;
    const proxy =
      agentNetwork === "off"
        ? null
        : await deps.driver.startProxy({
            ...sandboxSpec(ctx, "proxy"),
            proxyConfig: squidConfig(agentNetwork === "on" ? { mode: "any-public-host" } : { mode: "allowlist", allow: setup.config.network.allow }),
          });
    const sandbox = await deps.driver.ensure({ ...sandboxSpec(ctx, "agent", proxy?.network ?? null), env: phaseEnv(ctx, proxy?.url) });
    // The agent's shell starts while the repository is copied in, and the checkout runs in it: a line on its
    // stdin rather than an exec of its own.
    const shell = createShellSession(deps.driver, sandbox);
    shell.warm();
    const input = await repo;
    if (!outcome.checkedOut) {
      await loadWorkspace(deps.driver, sandbox, {
        run: (command, options) => shell.run(command, "", options),
        mirrorPath: input.mirrorPath,
        baseCommit: input.baseCommit,
        branch: task.branch,
        timeoutSec: deps.gitTimeoutSec,
        ...(restored ? { beforeCheckout: restored } : {}),
      });
    }
    await restored;
    await reported;
    return { sandbox, setup: outcome, agentProxy: proxy?.handle ?? null, shell };
  } catch (error) {
    // Nothing of this attempt may still be copying when the caller cleans up.
    await restored?.catch(() => undefined);
    throw error;
  }
}

/** The plain variables of every container of this attempt (env, Node.js on PATH, the proxy when given). */
export function phaseEnv(ctx: AttemptContext, proxyUrl?: string | null): Record<string, string> {
  return containerEnv({ env: ctx.setup.config.env, nodeVersion: ctx.setup.config.nodeVersion, proxyUrl: proxyUrl ?? null });
}

/** Hosts the agent's proxy refused, into the timeline and the attempt's setup report. */
export async function reportAgentEgress(ctx: AttemptContext, provisioned: Provisioned): Promise<void> {
  if (!provisioned.agentProxy) return;
  const blocked = blockedHosts(parseAccessLog(await readProxyLog(ctx, provisioned.agentProxy)));
  for (const host of blocked) await ctx.sink.emit({ type: "egress.blocked", payload: { host, phase: "agent" } });
  if (blocked.length === 0) return;
  const report = provisioned.setup.report;
  await recordSetupReport(ctx.ref, { ...report, blocked: [...new Set([...report.blocked, ...blocked])] });
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
    /** The setup cache of the base commit: the "before" preview starts from it. */
    setupCache: CacheVolumes | null;
    /** Preview the change from this patch on its own checkout, not the agent's workspace (see runScreenshotStage). */
    changeAsPatch?: string | Promise<string>;
    /** Stops the stage; the attempt's own signal by default. */
    signal?: AbortSignal;
    /** An app kept running at the base commit, for both sides of a patch (see runScreenshotStage). */
    keptApp?: ScreenshotStageInput["keptApp"];
  },
): Promise<PreviewReport> {
  const { deps, ref } = ctx;
  const { config } = input;
  const signal = input.signal ?? ctx.signal;
  const configured = config.routes.mode === "fixed" ? config.routes.paths : detectRoutes(input.changedFiles, config.routes.fallback);
  const routes = input.routes?.length ? input.routes : configured;
  const started = Date.now();
  try {
    return await runScreenshotStage({
      driver: deps.driver,
      browsers: deps.browsers,
      saveArtifact: (kind, png, metadata) => saveArtifact(ref.attemptId, { kind, contentType: "image/png", extension: "png", bytes: png, metadata }),
      sandbox: { ...sandboxBase(ctx), env: phaseEnv(ctx) },
      baseCache: input.setupCache,
      config,
      routes,
      base: { mirrorPath: input.mirrorPath, commit: input.baseCommit, branch: ctx.task.branch, gitTimeoutSec: deps.gitTimeoutSec },
      signal,
      emit: ctx.sink.emit,
      beforePictures: keptBeforePictures(ctx, config, input.baseCommit),
      ...(input.changeAsPatch !== undefined ? { changeAsPatch: input.changeAsPatch } : {}),
      ...(input.keptApp ? { keptApp: input.keptApp } : {}),
    });
  } catch (error) {
    if (signal.aborted) throw error;
    deps.logger.warn({ err: error, attemptId: ref.attemptId }, "screenshot stage failed");
    const message = `Screenshots could not be taken: ${(error as Error).message}`;
    await ctx.sink.emit({ type: "preview", payload: { side: "before", stage: "failed", message } });
    return { routes, shots: [], failures: [{ side: "before", stage: "sandbox", message, logTail: "" }], blockedRequests: [], durationMs: Date.now() - started };
  }
}

/** "Before" pictures of this environment's app at `commit`, kept across attempts (lib/artifacts/before-pictures.ts). */
export function keptBeforePictures(ctx: AttemptContext, config: PreviewConfig, commit: string): BeforePictures {
  const identity = (route: string, viewport: Viewport): BeforePictureIdentity => ({
    environmentId: ctx.task.environment.id,
    commit,
    route,
    viewport,
    app: { installCommand: config.installCommand, startCommand: config.startCommand, port: config.port, readinessPath: config.readinessPath },
    sandbox: { image: ctx.deps.sandboxImage, env: phaseEnv(ctx), setupScript: ctx.setup.config.setupScript },
  });
  return {
    find: (route, viewport) => findBeforePicture(identity(route, viewport)),
    keep: (route, viewport, artifactId, status) => keepBeforePicture(identity(route, viewport), artifactId, status),
  };
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
