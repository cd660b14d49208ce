import Link from "next/link";
import { notFound } from "next/navigation";
import { formatBytes } from "@/lib/format-bytes";
import { requireUser } from "@/lib/http/require-user";
import { listWorkers, type WorkerView } from "@/lib/workers/worker-status";
import { LiveRefresh } from "../live-refresh";

const STATE_LABEL: Record<WorkerView["state"], string> = {
  live: "live",
  lost: "lost: stopped reporting (its attempts are retried or failed)",
  stopped: "stopped",
};

export default async function WorkersPage() {
  const user = await requireUser();
  // Not found rather than forbidden: the page does not exist for anyone but admins.
  if (user.role !== "admin") notFound();
  const workers = await listWorkers(user.id);
  return (
    <>
      <h1>Workers</h1>
      <LiveRefresh active />
      <p className="muted">
        Each worker reports every 10 seconds. One that has not reported for 30 seconds without stopping cleanly is lost. Start another with{" "}
        <code>npm run worker</code> on a host with its own Docker engine and the same database and Redis.
      </p>
      {workers.length === 0 ? (
        <div className="panel" data-testid="no-workers">
          No worker has reported yet. <code>npm start</code> starts one; so does <code>npm run worker</code>.
        </div>
      ) : (
        <table data-testid="workers">
          <thead>
            <tr>
              <th>Worker</th>
              <th>State</th>
              <th>Slots in use</th>
              <th>Warm sandboxes</th>
              <th>Docker</th>
              <th>Sandbox image</th>
              <th>Setup caches on host</th>
              <th>Last report</th>
              <th>Attempts</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((worker) => (
              <tr key={worker.workerId} data-testid="worker-row">
                <td>
                  {worker.hostName}
                  <div className="muted">{worker.workerId}</div>
                  {worker.labels.length > 0 && <div data-testid="worker-labels">labels: {worker.labels.join(", ")}</div>}
                </td>
                <td className={worker.state === "live" ? undefined : "error"}>{STATE_LABEL[worker.state]}</td>
                <td>
                  {worker.state === "live" ? worker.busy : "–"} / {worker.slots}
                </td>
                <td>{worker.state === "live" ? worker.warmReady : "–"}</td>
                <td>{worker.dockerVersion ?? "not reachable"}</td>
                <td>
                  {worker.image}
                  <div className="muted">{worker.imageId ? worker.imageId.replace(/^sha256:/, "").slice(0, 12) : "missing"}</div>
                </td>
                <td>{formatBytes(worker.setupCacheBytes)}</td>
                <td>{worker.stoppedAt ?? worker.reportedAt}</td>
                <td>
                  {worker.attempts.map((attempt) =>
                    attempt.taskId ? (
                      <div key={attempt.attemptId}>
                        <Link href={`/tasks/${attempt.taskId}`}>{attempt.title ?? attempt.taskId}</Link>
                      </div>
                    ) : (
                      <div key={attempt.attemptId}>{attempt.attemptId}</div>
                    ),
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
