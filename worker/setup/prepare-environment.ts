// The setup phase of an attempt: make the workspace ready for work on a real project. With a setup
// script, the result of setup (the workspace's untracked and ignored files, e.g. node_modules, and the
// agent home's package caches) is cached per key (worker/setup/cache-key.ts): a hit restores it and
// runs the maintenance script, a miss runs the setup script and saves the result. Scripts run in a
// "setup" container on the attempt's egress network, where an allowlisting proxy is the only way out,
// with the environment's secrets in the script's own process environment only. The container is removed
// afterwards, so no setup process outlives the phase, and the agent starts in a fresh container.
import { ageText, type SetupReport } from "@/lib/environments/setup-report";
import type { NodeVersion } from "@/lib/environments/setup-config";
import { AppError } from "@/lib/errors";
import { createRedactor } from "@/lib/redact";
import { recordSetupReport } from "@/lib/tasks/attempt-work";
import { deleteSetupCache, findSetupCache, hostWithSetupCache, newestSetupCache, saveSetupCache, touchSetupCache } from "@/lib/environments/setup-cache-store";
import { chunkForEvents } from "@/worker/agent/tools/output-cap";
import { loadWorkspace } from "@/worker/repos/load-workspace";
import { listTree } from "@/worker/repos/read-tree";
import type { CacheVolumes, SandboxHandle } from "@/worker/sandbox/driver";
import { cacheVolumeNames, LABEL_ENVIRONMENT, LABEL_INSTANCE, LABEL_SETUP_CACHE } from "@/worker/sandbox/labels";
import { sandboxSpec, type AttemptContext } from "@/worker/processors/attempt-context";
import { cacheKey, cacheKeyParts, keyFiles, missReason, type CacheKeyParts } from "./cache-key";
import { evictSetupCaches } from "./evict-setup-caches";
import { ACCESS_LOG, blockedHosts, parseAccessLog, squidConfig, type ProxyPolicy } from "./egress-proxy-config";
import { containerEnv } from "./sandbox-env";

/** What the rest of the attempt needs from the setup phase. */
export type SetupOutcome = {
  report: SetupReport;
  /** The cache the workspace came from (or was saved to): previews of the base commit start from it. */
  cache: CacheVolumes | null;
  /** Whether the workspace is already checked out at the base commit (a script ran in it). */
  checkedOut: boolean;
  /**
   * A cache still to be copied into the (fresh, empty) workspace and home: on a hit with no maintenance
   * script, the copy runs while the agent's container starts, and the checkout follows both.
   */
  pendingRestore: CacheVolumes | null;
};

type Phase = "setup" | "maintenance";

/** The timeline gets at most this much of a script's output; the failure message quotes its tail. */
const STREAMED_OUTPUT_LIMIT = 1024 * 1024;
const KEPT_OUTPUT_LIMIT = 16 * 1024 * 1024;
const TAIL_CHARS = 4000;

/** Where the attempt's repository is on the worker's host, and the commit it starts from. */
export type RepositoryInput = { mirrorPath: string; baseCommit: string };

export async function prepareEnvironment(ctx: AttemptContext, repository: Promise<RepositoryInput>): Promise<SetupOutcome> {
  const { deps, task, setup } = ctx;
  const { config } = setup;
  const started = Date.now();
  const spec = sandboxSpec(ctx, "agent");
  const base = { key: null, blocked: [] as string[], ran: "none" as const };

  if (!config.setupScript) {
    await deps.driver.prepareWorkspace(spec);
    if (!config.maintenanceScript) {
      // Nothing to run: the repository is only needed for the checkout, after the container starts.
      const report: SetupReport = { ...base, cache: "off", reason: "no setup script", durationMs: Date.now() - started };
      return { report, cache: null, checkedOut: false, pendingRestore: null };
    }
    const input = await repository;
    // A maintenance script alone has nothing cached to maintain: it runs every time, uncached.
    const run = await runScript(ctx, "maintenance", config.maintenanceScript, input);
    const report: SetupReport = {
      ...base,
      cache: "off",
      reason: "no setup script; the maintenance script ran",
      durationMs: Date.now() - started,
      blocked: run.blocked,
      ran: "maintenance",
      exitCode: run.exitCode,
    };
    if (!run.ok) throw await scriptFailed(ctx, "maintenance", run, report);
    await ctx.sink.emit({ type: "setup", payload: { cache: "off", message: "setup: not cached — no setup script (the maintenance script ran)" } });
    return { report, cache: null, checkedOut: true, pendingRestore: null };
  }

  const input = await repository;
  const image = await deps.driver.imageInfo(spec.image);
  assertNodeAvailable(config.nodeVersion, image.tools);
  const tree = await listTree(input.mirrorPath, input.baseCommit, deps.gitTimeoutSec * 1000);
  const parts = cacheKeyParts({
    imageId: image.id,
    setupScript: config.setupScript,
    env: config.env,
    nodeVersion: config.nodeVersion,
    files: keyFiles(tree, config.cacheKeyFiles),
  });
  const key = cacheKey(parts);
  const shortKey = key.slice(0, 8);
  const row = await findSetupCache(task.environment.id, deps.hostName, key);
  const stored = row ? storedVolumes(row.volumes) : null;
  const present = stored ? await volumesPresent(ctx, stored) : false;
  const expired = row ? Date.now() - row.lastUsedAt.getTime() > deps.setupCacheTtlMs : false;

  if (row && stored && present && !expired) {
    const volumes = stored;
    // A layered restore is instant; a copy can run while the agent's container starts, unless the
    // maintenance script needs the restored files first.
    const restoreNow = Boolean(config.maintenanceScript) || deps.driver.restoresByLayer;
    await deps.driver.prepareWorkspace(spec, restoreNow ? volumes : undefined);
    await touchSetupCache(row.id);
    const reason = `made ${ageText(row.createdAt)}`;
    await ctx.sink.emit({ type: "setup", payload: { cache: "hit", message: `setup: cached (key ${shortKey}…, ${reason})`, key } });
    const report: SetupReport = { ...base, cache: "hit", reason, key, durationMs: 0, sizeBytes: Number(row.sizeBytes) };
    if (!config.maintenanceScript)
      return { report: { ...report, durationMs: Date.now() - started }, cache: volumes, checkedOut: false, pendingRestore: restoreNow ? null : volumes };
    const run = await runScript(ctx, "maintenance", config.maintenanceScript, input);
    const withRun: SetupReport = { ...report, durationMs: Date.now() - started, blocked: run.blocked, ran: "maintenance", exitCode: run.exitCode };
    if (!run.ok) throw await scriptFailed(ctx, "maintenance", run, withRun);
    return { report: withRun, cache: volumes, checkedOut: true, pendingRestore: null };
  }

  const reason =
    row && expired
      ? "the cache expired"
      : row && !present
        ? "the cached files are gone from this worker"
        : await missOnThisHost(task.environment.id, deps.hostName, key, parts);
  if (row) await deleteSetupCache(row.id);
  await deps.driver.prepareWorkspace(spec);
  const run = await runScript(ctx, "setup", config.setupScript, input);
  const report: SetupReport = {
    ...base,
    cache: "miss",
    reason,
    key,
    durationMs: Date.now() - started,
    blocked: run.blocked,
    ran: "setup",
    exitCode: run.exitCode,
  };
  if (!run.ok) {
    await ctx.sink.emit({ type: "setup", payload: { cache: "miss", message: "setup: not cached — it failed", key } });
    throw await scriptFailed(ctx, "setup", run, { ...report, reason: "it failed" });
  }
  const labels = { [LABEL_SETUP_CACHE]: "true", [LABEL_INSTANCE]: deps.instanceId, [LABEL_ENVIRONMENT]: task.environment.id };
  const volumes = cacheVolumeNames(task.environment.id, key, ctx.ref.attemptId);
  const sizeBytes = await deps.driver.saveCache(spec, volumes, labels);
  // A sibling attempt may have saved the same key meanwhile: the newer save wins, and the volumes it
  // replaced go when no attempt uses them any more (evict-setup-caches.ts removes volumes without a row).
  await saveSetupCache({ environmentId: task.environment.id, host: deps.hostName, key, parts, volumes, sizeBytes });
  await evictSetupCaches(deps).catch((error: unknown) => ctx.log.warn({ err: error }, "setup cache eviction failed"));
  await ctx.sink.emit({ type: "setup", payload: { cache: "miss", message: `setup: ran — ${reason}`, key } });
  return { report: { ...report, durationMs: Date.now() - started, sizeBytes }, cache: volumes, checkedOut: true, pendingRestore: null };
}

type ScriptRun = { ok: boolean; exitCode: number | null; timedOut: boolean; tail: string; blocked: string[] };

/**
 * One script in a fresh "setup" container on the egress network, behind a proxy that allows the
 * default registries plus the environment's hosts. The workspace is checked out first; afterwards the
 * files setup created are kept out of the agent's diff and the workspace and home are searched for
 * the literal value of every secret.
 */
async function runScript(ctx: AttemptContext, phase: Phase, script: string, input: { mirrorPath: string; baseCommit: string }): Promise<ScriptRun> {
  const { deps, task, setup } = ctx;
  const policy: ProxyPolicy = { mode: "allowlist", allow: setup.config.network.allow };
  const proxy = await deps.driver.startProxy({ ...sandboxSpec(ctx, "proxy"), proxyConfig: squidConfig(policy) });
  let box: SandboxHandle | null = null;
  try {
    box = await deps.driver.ensure({
      ...sandboxSpec(ctx, "setup", proxy.network),
      env: containerEnv({ env: setup.config.env, nodeVersion: setup.config.nodeVersion, proxyUrl: proxy.url }),
    });
    await loadWorkspace(deps.driver, box, { mirrorPath: input.mirrorPath, baseCommit: input.baseCommit, branch: task.branch, timeoutSec: deps.gitTimeoutSec });
    const run = await execScript(ctx, box, phase, script);
    const blocked = blockedHosts(parseAccessLog(await readProxyLog(ctx, proxy.handle)));
    for (const host of blocked) await ctx.sink.emit({ type: "egress.blocked", payload: { host, phase } });
    if (!run.ok) return { ...run, blocked };
    await keepOutOfDiff(ctx, box);
    await assertNoSecretsLeft(ctx, box, phase);
    return { ...run, blocked };
  } finally {
    // Removing the container ends every process setup started, daemons included.
    if (box) await deps.driver.release(box);
    await deps.driver.release(proxy.handle);
  }
}

async function execScript(ctx: AttemptContext, box: SandboxHandle, phase: Phase, script: string): Promise<Omit<ScriptRun, "blocked">> {
  const { deps, sink, setup } = ctx;
  const callId = phase;
  await sink.emit({ type: "tool.begin", payload: { callId, tool: phase, command: script } });
  let streamed = 0;
  let noted = false;
  const pending: Promise<void>[] = [];
  const result = await deps.driver.exec(box, ["bash", "-lc", script], {
    timeoutSec: deps.setupTimeoutSec,
    maxOutputBytes: KEPT_OUTPUT_LIMIT,
    // The only place secrets go: this process's environment, never the container's.
    env: setup.secrets.map((secret) => `${secret.name}=${secret.value}`),
    signal: ctx.signal,
    onOutput: (stream, chunk) => {
      if (streamed >= STREAMED_OUTPUT_LIMIT) {
        if (!noted)
          pending.push(
            sink.emit({ type: "tool.output", payload: { callId, stream: "stderr", chunk: "\n[… more output; the timeline keeps the first 1 MiB]\n" } }),
          );
        noted = true;
        return;
      }
      streamed += chunk.length;
      for (const text of chunkForEvents(chunk.toString("utf8"))) pending.push(sink.emit({ type: "tool.output", payload: { callId, stream, chunk: text } }));
    },
  });
  await Promise.all(pending);
  const ok = result.exitCode === 0;
  await sink.emit({
    type: "tool.end",
    payload: {
      callId,
      tool: phase,
      ok,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      ...(result.timedOut ? { timedOut: true } : {}),
      ...(result.truncated ? { truncated: true } : {}),
    },
  });
  const output = Buffer.concat([result.stdout, result.stderr]).toString("utf8");
  // The tail goes into the attempt's error, which is stored as is: redact it here.
  const tail = createRedactor(setup.secrets).redact(output.slice(-TAIL_CHARS)).trim();
  return { ok, exitCode: result.exitCode, timedOut: result.timedOut, tail };
}

// Files the setup created that git does not ignore (e.g. a .venv without a .gitignore entry) are not the
// agent's work: list them in .git/info/exclude, and keep the list in the home so a restored cache can
// exclude them again after its fresh checkout (see load-workspace.ts).
const KEEP_OUT_OF_DIFF_SCRIPT = `set -e
cd /workspace
mkdir -p "$HOME/.patchbay"
git ls-files --others --exclude-standard --directory | sed 's|^|/|' >>"$HOME/.patchbay/setup-untracked"
sort -u -o "$HOME/.patchbay/setup-untracked" "$HOME/.patchbay/setup-untracked"
cat "$HOME/.patchbay/setup-untracked" >>.git/info/exclude`;

async function keepOutOfDiff(ctx: AttemptContext, box: SandboxHandle): Promise<void> {
  const result = await ctx.deps.driver.exec(box, ["bash", "-c", KEEP_OUT_OF_DIFF_SCRIPT], { timeoutSec: 120, maxOutputBytes: 64 * 1024, signal: ctx.signal });
  if (result.exitCode !== 0) throw new AppError("sandbox_error", `Could not record the files setup created: ${result.stderr.toString().trim().slice(-500)}`);
}

// Reads the secret values from stdin (never argv or env) and lists files under the workspace and the
// home that contain any of them; grep exits 1 when nothing matched.
const SECRET_SCAN_SCRIPT = `grep -rlsF -f /dev/stdin /workspace "$HOME" | head -n 20; exit "\${PIPESTATUS[0]}"`;

async function assertNoSecretsLeft(ctx: AttemptContext, box: SandboxHandle, phase: Phase): Promise<void> {
  const { secrets } = ctx.setup;
  if (secrets.length === 0) return;
  const result = await ctx.deps.driver.exec(box, ["bash", "-c", SECRET_SCAN_SCRIPT], {
    timeoutSec: 300,
    maxOutputBytes: 64 * 1024,
    stdin: `${secrets.map((secret) => secret.value).join("\n")}\n`,
    signal: ctx.signal,
  });
  const files = result.stdout.toString().trim().split("\n").filter(Boolean);
  // 1: no match; 2: some file was unreadable (the agent, the same user, sees what grep sees).
  if (files.length === 0 && (result.exitCode === 1 || result.exitCode === 2)) return;
  if (files.length === 0)
    throw new AppError("sandbox_error", `Could not check the workspace for leftover secrets: ${result.stderr.toString().trim().slice(-500)}`);
  throw new AppError(
    "setup_failed",
    `The ${phase} script left the value of a secret on disk (${files.join(", ")}), where the agent could read it, so nothing of it was kept. Let tools read secrets from the environment instead (for npm: a project .npmrc with \${NPM_TOKEN}, not the token itself).`,
  );
}

export async function readProxyLog(ctx: AttemptContext, proxy: SandboxHandle): Promise<string> {
  const result = await ctx.deps.driver.exec(proxy, ["cat", ACCESS_LOG], { timeoutSec: 30, maxOutputBytes: 4 * 1024 * 1024 });
  return result.exitCode === 0 ? result.stdout.toString("utf8") : "";
}

async function volumesPresent(ctx: AttemptContext, volumes: CacheVolumes): Promise<boolean> {
  const names = new Set(await ctx.deps.driver.listVolumes(LABEL_SETUP_CACHE));
  return names.has(volumes.workspace) && names.has(volumes.home);
}

async function scriptFailed(ctx: AttemptContext, phase: Phase, run: ScriptRun, report: SetupReport): Promise<AppError> {
  await recordSetupReport(ctx.ref, report);
  const what = phase === "setup" ? "The setup script" : "The maintenance script";
  const how = run.timedOut
    ? `ran longer than ${Math.round(ctx.deps.setupTimeoutSec / 60)} min and was stopped (PATCHBAY_SETUP_TIMEOUT_SEC)`
    : `failed with exit code ${run.exitCode ?? "unknown"}`;
  const blocked = run.blocked.length ? ` The proxy refused ${run.blocked.join(", ")}: add the hosts it needs to the environment's allowed hosts.` : "";
  return new AppError("setup_failed", `${what} ${how}.${blocked}${run.tail ? `\nLast lines of its output:\n${run.tail}` : ""}`);
}

function storedVolumes(value: unknown): CacheVolumes | null {
  const volumes = value as Partial<CacheVolumes> | null;
  return typeof volumes?.workspace === "string" && typeof volumes.home === "string" ? { workspace: volumes.workspace, home: volumes.home } : null;
}

function storedParts(row: { parts: unknown } | null): CacheKeyParts | null {
  return row ? (row.parts as CacheKeyParts) : null;
}

function assertNodeAvailable(version: NodeVersion, tools: Record<string, string>): void {
  if (version === "22" && Object.keys(tools).length > 0 && !tools.node22) {
    throw new AppError(
      "sandbox_error",
      "This environment asks for Node.js 22, but the worker's sandbox image has no Node.js 22. Rebuild it with scripts/setup/build-sandbox-image.sh --force.",
    );
  }
}

/** Why this host has no cache to restore: another worker host made it, or what changed since the last. */
async function missOnThisHost(environmentId: string, hostName: string, key: string, parts: CacheKeyParts): Promise<string> {
  const elsewhere = await hostWithSetupCache(environmentId, hostName, key);
  if (elsewhere) return `not cached on this worker (${elsewhere} has it; each worker host keeps its own)`;
  return missReason(parts, storedParts(await newestSetupCache(environmentId, hostName)));
}
