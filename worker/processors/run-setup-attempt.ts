// "Test setup" (a task of mode `setup`): no model. Runs the environment's setup, or reuses its cache,
// then starts the agent's sandbox on the result as a real task would and reports what the agent would
// find there: the toolchain versions, the cache verdict, the size of the cached result and the hosts
// the proxy refused. Setup failures fail the task like any other.
import { formatBytes } from "@/lib/format-bytes";
import { transitionAttempt } from "@/lib/tasks/attempt-status";
import { recordSetupReport } from "@/lib/tasks/attempt-work";
import { withoutNul } from "@/lib/timeline/append-event";
import type { SetupReport } from "@/lib/environments/setup-report";
import { openRepoCredential } from "@/lib/repos/repo-credential";
import type { AttemptContext } from "./attempt-context";
import { provisionSandbox } from "./attempt-stages";

// One "name version" line per tool the agent would use; a missing tool prints nothing.
const VERSIONS_SCRIPT = `v() { out=$("$@" 2>&1 | head -n 1) && printf '%s\\t%s\\n' "$1" "$out"; }
v node --version; v npm --version; v pnpm --version; v yarn --version; v python3 --version
v pip3 --version; v go version; v rustc --version; v cargo --version; v java -version; v gcc --version; v git --version
true`;

export async function runSetupAttempt(ctx: AttemptContext): Promise<void> {
  const { deps, ref, task } = ctx;
  const mirrorPath = await deps.mirrors.sync(task.environment.repoUrl, openRepoCredential(task.environment.repoCredential, deps.secretsKey));
  const baseCommit = await deps.mirrors.resolveBranch(mirrorPath, task.branch);
  if (!(await transitionAttempt(ref, "running", { baseCommit }, `Testing the setup at ${baseCommit.slice(0, 12)}.`))) return;
  const { sandbox, setup } = await provisionSandbox(ctx, { mirrorPath, baseCommit });

  const result = await deps.driver.exec(sandbox, ["bash", "-lc", VERSIONS_SCRIPT], { timeoutSec: 120, maxOutputBytes: 64 * 1024, signal: ctx.signal });
  const tools = Object.fromEntries(
    result.stdout
      .toString("utf8")
      .split("\n")
      .map((line) => line.split("\t"))
      .filter((parts): parts is [string, string] => parts.length === 2 && Boolean(parts[1])),
  );
  const report: SetupReport = { ...setup.report, tools };
  await recordSetupReport(ref, report);
  const summary = summarize(report, ctx.setup.config.nodeVersion);
  await ctx.sink.emit({ type: "message", payload: { text: summary } });
  await transitionAttempt(ref, "completed", { patch: "", finalMessage: withoutNul(summary) }, "Setup works.");
}

function summarize(report: SetupReport, nodeVersion: string): string {
  const verdict =
    report.cache === "hit"
      ? `cached (${report.reason}); the cached result was reused${report.ran === "maintenance" ? " and the maintenance script ran" : ""}`
      : report.cache === "miss"
        ? `ran — ${report.reason}`
        : `not cached — ${report.reason}`;
  const lines = [
    `Setup: ${verdict}, in ${(report.durationMs / 1000).toFixed(1)} s.`,
    ...(report.sizeBytes !== undefined ? [`Cached result: ${formatBytes(report.sizeBytes)}${report.key ? ` (key ${report.key.slice(0, 12)})` : ""}.`] : []),
    report.blocked.length ? `Refused by the proxy: ${report.blocked.join(", ")}.` : "The proxy refused no host.",
    `Node.js ${nodeVersion} is first on PATH. Toolchain in the sandbox:`,
    ...Object.entries(report.tools ?? {}).map(([tool, version]) => `- ${tool}: ${version}`),
  ];
  return lines.join("\n");
}
