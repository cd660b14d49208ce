import { formatBytes } from "@/lib/format-bytes";
import type { SetupReport } from "@/lib/environments/setup-report";

const VERDICTS: Record<SetupReport["cache"], string> = { hit: "cache hit", miss: "cache miss", off: "not cached" };

/** The attempt's setup phase: cache verdict and why, duration, size, the script's exit and refused hosts. */
export function SetupSummary({ report }: { report: SetupReport }) {
  const facts = [
    `${(report.durationMs / 1000).toFixed(1)} s`,
    ...(report.sizeBytes !== undefined ? [`${formatBytes(report.sizeBytes)} ${report.cache === "hit" ? "restored" : "saved"}`] : []),
    ...(report.ran !== "none" ? [`${report.ran} script ${exitText(report.exitCode)}`] : []),
    ...(report.key ? [`key ${report.key.slice(0, 12)}`] : []),
  ];
  return (
    <div className="panel" data-testid="setup-summary">
      <h2 style={{ marginTop: 0 }}>Setup</h2>
      <p style={{ margin: 0 }}>
        <span className={`badge ${report.cache === "hit" ? "completed" : report.cache === "miss" ? "running" : ""}`}>{VERDICTS[report.cache]}</span>{" "}
        <span data-testid="setup-reason">{report.reason}</span> <span className="muted">· {facts.join(" · ")}</span>
      </p>
      {report.blocked.length > 0 && (
        <p data-testid="setup-blocked">
          Refused by the proxy:{" "}
          {report.blocked.map((host, index) => (
            <span key={host}>
              {index > 0 && ", "}
              <code>{host}</code>
            </span>
          ))}
          . <span className="muted">Add them to the environment&apos;s allowed hosts if setup needs them.</span>
        </p>
      )}
      {report.tools && Object.keys(report.tools).length > 0 && (
        <dl className="facts" data-testid="setup-tools">
          {Object.entries(report.tools)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, version]) => (
              <div key={name} style={{ display: "contents" }}>
                <dt>{name}</dt>
                <dd>{version}</dd>
              </div>
            ))}
        </dl>
      )}
    </div>
  );
}

function exitText(exitCode: number | null | undefined): string {
  if (exitCode === 0) return "passed";
  if (exitCode === null || exitCode === undefined) return "ran";
  return `exited with ${exitCode}`;
}
