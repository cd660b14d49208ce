"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { PullRequestDto } from "@/lib/pull-requests/pull-request-dto";
import { LiveRefresh } from "../../live-refresh";
import { createPullRequestAction, updateBranchAction } from "../../actions";

/**
 * The task's way out: "Create pull request" when the environment has a remote, then the PR's link and state.
 * Follow-ups are pushed to the same branch on their own; the panel says how many turns the branch holds.
 */
export function PullRequestPanel(props: { taskId: string; turns: number; pullRequest: PullRequestDto | null; remote: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const pr = props.pullRequest;
  const run = (action: (taskId: string) => Promise<{ error?: string }>) =>
    startTransition(async () => {
      const result = await action(props.taskId);
      setError(result.error ?? null);
      router.refresh();
    });
  const waiting = pr?.publishing === true || pr?.branchUpdate?.status === "queued";
  const updatable = pr?.headCommit && !pr.adopted && (pr.status === "open" || pr.status === "pushed") && !waiting;
  return (
    <div className="panel" data-testid="pull-request">
      <h2 style={{ marginTop: 0 }}>Pull request</h2>
      <LiveRefresh active={waiting} />
      {!pr && !props.remote && (
        <p className="muted">
          This environment has no remote. Connect one on the environment page to open pull requests; until then, download the patch from the diff.
        </p>
      )}
      {!pr && props.remote && (
        <p className="muted">Commits this task's change on its base commit as a new branch on {props.remote} and opens the pull request.</p>
      )}
      {pr && (
        <dl className="facts">
          <dt>State</dt>
          <dd>
            <span className={`badge pr-${pr.status}`} data-testid="pull-request-status">
              {pr.status}
            </span>
            {pr.mergeable === false && <span className="badge">conflicts</span>}
            {pr.checks && (
              <span className={`badge checks-${pr.checks}`} data-testid="pull-request-checks">
                checks {pr.checks === "success" ? "passed" : pr.checks === "failure" ? "failed" : "running"}
              </span>
            )}
          </dd>
          <dt>Branch</dt>
          <dd>
            <code data-testid="pull-request-branch">{pr.branch}</code> → <code>{pr.baseBranch}</code>
          </dd>
          {pr.url && (
            <>
              <dt>Link</dt>
              <dd>
                <a href={pr.url} target="_blank" rel="noreferrer" data-testid="pull-request-link">
                  {pr.number ? `#${pr.number}` : pr.url}
                </a>
              </dd>
            </>
          )}
          {pr.headCommit && (
            <>
              <dt>Pushed</dt>
              <dd data-testid="pull-request-pushed">
                <code>{pr.headCommit.slice(0, 12)}</code>, {pr.turns === props.turns ? "all turns" : `${pr.turns} of ${props.turns} turns`}
              </dd>
            </>
          )}
        </dl>
      )}
      {pr?.branchUpdate && pr.branchUpdate.status !== "queued" && (
        <p className={pr.branchUpdate.status === "conflict" || pr.branchUpdate.status === "failed" ? "error" : "muted"} data-testid="branch-update">
          {pr.branchUpdate.message}
        </p>
      )}
      {pr?.error && (
        <p className="error" data-testid="pull-request-error">
          {pr.error}
        </p>
      )}
      {error && <p className="error">{error}</p>}
      {waiting && pr?.headCommit && <p className="muted">Pushing the latest change…</p>}
      {(!pr || ((pr.error || pr.status === "failed") && !waiting)) && props.remote && (
        <button type="button" disabled={pending} onClick={() => run(createPullRequestAction)}>
          {pending ? "Queuing…" : pr ? "Publish again" : "Create pull request"}
        </button>
      )}
      {updatable && (
        <button type="button" className="secondary" disabled={pending} onClick={() => run(updateBranchAction)}>
          Update branch
        </button>
      )}
    </div>
  );
}
