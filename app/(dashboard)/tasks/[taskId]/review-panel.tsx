"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { FindingDto, ReviewPostDto } from "@/lib/reviews/review-findings";
import { LiveRefresh } from "../../live-refresh";
import { fixFindingAction, postReviewAction } from "../../actions";

/** A review's findings, most severe first: each can become a follow-up of the reviewed task; all can go to its PR. */
export function ReviewPanel(props: {
  taskId: string;
  /** The reviewed task, or null for a review of a pull request (`pullRequest`). */
  reviewOf: string | null;
  pullRequest: number | null;
  findings: FindingDto[];
  post: ReviewPostDto | null;
  canPost: boolean;
  owner: boolean;
}) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const run = (action: () => Promise<{ error?: string; redirectTo?: string }>) =>
    startTransition(async () => {
      const result = await action();
      setError(result.error ?? null);
      if (result.redirectTo) router.push(result.redirectTo);
      else router.refresh();
    });
  return (
    <div className="panel" data-testid="review">
      <h2 style={{ marginTop: 0 }}>Findings ({props.findings.length})</h2>
      <LiveRefresh active={props.post?.status === "queued"} />
      <p className="muted">
        {props.reviewOf ? (
          <>
            Review of <Link href={`/tasks/${props.reviewOf}`}>this task's change</Link>.
          </>
        ) : (
          `Review of pull request #${props.pullRequest ?? "?"}.`
        )}
      </p>
      {props.findings.length === 0 && <p>No findings.</p>}
      {props.findings.map((finding) => (
        <div key={finding.id} className="finding" data-testid="finding">
          <p>
            <span className={`badge severity-${finding.severity}`}>{finding.severity}</span> <strong>{finding.title}</strong>{" "}
            <code>
              {finding.path}:{finding.startLine}
              {finding.endLine !== finding.startLine ? `-${finding.endLine}` : ""}
            </code>
          </p>
          <p style={{ whiteSpace: "pre-wrap" }}>{finding.body}</p>
          {finding.suggestion !== null && <pre className="files">{finding.suggestion}</pre>}
          {props.owner && props.reviewOf && (
            <button type="button" className="secondary" disabled={pending} onClick={() => run(() => fixFindingAction(props.taskId, finding.id))}>
              Fix this
            </button>
          )}
        </div>
      ))}
      {props.post && (
        <p data-testid="review-post" className={props.post.status === "failed" ? "error" : "muted"}>
          {props.post.status === "queued" && "Posting the review to the pull request…"}
          {props.post.status === "posted" && (
            <>
              Posted to the pull request ({props.post.comments ?? 0} inline comment(s)): <a href={props.post.url}>{props.post.url}</a>
            </>
          )}
          {props.post.status === "failed" && `Not posted: ${props.post.error ?? "unknown reason"}`}
        </p>
      )}
      {props.owner && props.canPost && props.post?.status !== "posted" && props.post?.status !== "queued" && (
        <button type="button" disabled={pending} onClick={() => run(() => postReviewAction(props.taskId))}>
          Post to pull request
        </button>
      )}
      {error && <p className="error">{error}</p>}
    </div>
  );
}
