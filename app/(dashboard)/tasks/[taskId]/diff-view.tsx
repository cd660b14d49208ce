"use client";

import { useRouter } from "next/navigation";
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { type ChangeData, Diff, getChangeKey, Hunk, parseDiff, type FileData, type ViewType } from "react-diff-view";
import "react-diff-view/style/index.css";
import type { ReviewCommentDto } from "@/lib/review-comments/review-comments";
import type { FindingDto } from "@/lib/reviews/review-findings";
import { type Anchor, anchorOf, changeKeysFor } from "./comment-anchors";

type Draft = Anchor & { path: string; key: string };

/**
 * The attempt's patch, per file, split or unified; rendered as text by react-diff-view. With `canComment`
 * (the task's author, on a finished code task) a click on a line number starts a review comment there;
 * "Send N comments" sends them all as one follow-up turn. A review's findings show under their last line.
 */
export function DiffView({
  taskId,
  canComment = false,
  findings = [],
  forgeComments = false,
}: {
  taskId: string;
  canComment?: boolean;
  findings?: readonly FindingDto[];
  /** The task has a pull request whose review comments can be pulled in as drafts. */
  forgeComments?: boolean;
}) {
  const [patch, setPatch] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [viewType, setViewType] = useState<ViewType>("split");
  const [comments, setComments] = useState<ReviewCommentDto[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [draftText, setDraftText] = useState("");
  const [commentError, setCommentError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const router = useRouter();

  const loadComments = useCallback(async () => {
    const response = await fetch(`/api/v1/tasks/${taskId}/comments`);
    if (response.ok) setComments(((await response.json()) as { comments: ReviewCommentDto[] }).comments);
  }, [taskId]);
  useEffect(() => {
    void loadComments();
  }, [loadComments]);

  // Every write answers with the API's own message; what was typed stays until it is saved.
  const call = async (url: string, init: RequestInit): Promise<boolean> => {
    setBusy(true);
    setCommentError(null);
    try {
      const response = await fetch(url, { ...init, headers: { "content-type": "application/json" } });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        setCommentError(body?.error?.message ?? `The request failed (HTTP ${response.status}).`);
        return false;
      }
      return true;
    } finally {
      setBusy(false);
    }
  };
  const saveDraft = async () => {
    const saving = draft;
    if (!saving) return;
    const body = JSON.stringify({ path: saving.path, line: saving.line, side: saving.side, body: draftText });
    if (await call(`/api/v1/tasks/${taskId}/comments`, { method: "POST", body })) {
      // Only this comment's editor closes: a line clicked while it was saving keeps its own.
      setDraft((current) => {
        if (current !== saving) return current;
        setDraftText("");
        return null;
      });
      await loadComments();
    }
  };
  const removeDraft = async (commentId: string) => {
    if (await call(`/api/v1/tasks/${taskId}/comments/${commentId}`, { method: "DELETE" })) await loadComments();
  };
  const drafts = comments.filter((comment) => comment.state === "draft");
  const [importNote, setImportNote] = useState<string | null>(null);
  // The worker asks the forge; the page waits for that state (bounded), then shows the new drafts.
  const pullForgeComments = async () => {
    if (!(await call(`/api/v1/tasks/${taskId}/comments/import`, { method: "POST" }))) return;
    setImportNote("Pulling comments from the pull request…");
    for (let tries = 0; tries < 120; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const response = await fetch(`/api/v1/tasks/${taskId}/pull-request`);
      const state = response.ok
        ? ((await response.json()) as { commentImport?: { status: string; imported?: number; error?: string } } | null)?.commentImport
        : null;
      if (!state || state.status === "queued") continue;
      setImportNote(state.status === "done" ? `Pulled in ${state.imported ?? 0} new comment(s) from the pull request.` : null);
      if (state.status === "failed") setCommentError(state.error ?? "The comments could not be pulled in.");
      await loadComments();
      return;
    }
    setImportNote("The worker has not answered yet; reload the page later to see the comments.");
  };
  const sendAll = async () => {
    if (await call(`/api/v1/tasks/${taskId}/comments/send`, { method: "POST" })) {
      await loadComments();
      router.refresh();
    }
  };

  useEffect(() => {
    fetch(`/api/v1/tasks/${taskId}/diff`)
      .then(async (response) => {
        if (!response.ok) throw new Error(`Could not load the diff (HTTP ${response.status}).`);
        setPatch(await response.text());
      })
      .catch((caught: Error) => setError(caught.message));
  }, [taskId]);

  const files = useMemo<FileData[]>(() => {
    if (!patch) return [];
    try {
      return parseDiff(patch, { nearbySequences: "zip" });
    } catch {
      return [];
    }
  }, [patch]);

  /** The comments under each commented line of a file, and the editor under the line being commented. */
  function widgetsFor(file: FileData, path: string): Record<string, ReactNode> {
    const changes: ChangeData[] = file.hunks.flatMap((hunk) => hunk.changes);
    const widgets: Record<string, ReactNode> = {};
    for (const [key, items] of changeKeysFor(
      changes,
      comments.filter((comment) => comment.path === path),
    )) {
      widgets[key] = (
        <div className="review-comments">
          {items.map((comment) => (
            <div key={comment.id} className="review-comment" data-testid="review-comment">
              <span className={`badge comment-${comment.state}`} data-testid="review-comment-state">
                {comment.state}
              </span>{" "}
              {comment.author && <span className="muted">@{comment.author}: </span>}
              <span style={{ whiteSpace: "pre-wrap" }}>{comment.body}</span>
              {comment.reply && (
                <p className="muted" data-testid="review-comment-reply">
                  Agent: {comment.reply}
                </p>
              )}
              {canComment && comment.state === "draft" && (
                <button type="button" className="secondary" onClick={() => void removeDraft(comment.id)} disabled={busy}>
                  Remove
                </button>
              )}
            </div>
          ))}
        </div>
      );
    }
    const anchoredFindings = findings
      .filter((finding) => finding.path === path)
      .map((finding) => ({ ...finding, side: "new" as const, line: finding.endLine }));
    for (const [key, items] of changeKeysFor(changes, anchoredFindings)) {
      widgets[key] = (
        <div className="review-comments">
          {widgets[key]}
          {items.map((finding) => (
            <div key={finding.id} className="review-comment" data-testid="diff-finding">
              <span className={`badge severity-${finding.severity}`}>{finding.severity}</span> <strong>{finding.title}</strong>
              <p className="muted">{finding.body}</p>
            </div>
          ))}
        </div>
      );
    }
    if (draft && draft.path === path) {
      widgets[draft.key] = (
        <div className="review-comments">
          {widgets[draft.key]}
          <label htmlFor="review-comment-text">
            Comment on {draft.path}, line {draft.line}
            {draft.side === "old" ? " (removed)" : ""}
          </label>
          <textarea id="review-comment-text" value={draftText} onChange={(event) => setDraftText(event.target.value)} rows={3} />
          <div className="inline-form">
            <button type="button" onClick={() => void saveDraft()} disabled={busy}>
              Add comment
            </button>
            <button type="button" className="secondary" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </div>
      );
    }
    return widgets;
  }

  if (error) return <p className="error">{error}</p>;
  if (patch === null) return <p className="muted">Loading diff…</p>;
  if (patch === "")
    return (
      <p className="muted" data-testid="diff-empty">
        No files changed.
      </p>
    );

  return (
    <div data-testid="diff-view">
      <div className="toolbar">
        <button type="button" className={viewType === "split" ? "" : "secondary"} onClick={() => setViewType("split")}>
          Split
        </button>
        <button type="button" className={viewType === "unified" ? "" : "secondary"} onClick={() => setViewType("unified")}>
          Unified
        </button>
        <a className="button secondary" href={`/api/v1/tasks/${taskId}/diff?download=1`} download data-testid="download-patch">
          Download patch
        </a>
        {canComment && forgeComments && (
          <button type="button" className="secondary" onClick={() => void pullForgeComments()} disabled={busy} data-testid="pull-forge-comments">
            Pull comments from the pull request
          </button>
        )}
        {canComment && drafts.length > 0 && (
          <button type="button" onClick={() => void sendAll()} disabled={busy} data-testid="send-comments">
            Send {drafts.length} comment{drafts.length === 1 ? "" : "s"}
          </button>
        )}
      </div>
      {canComment && comments.length === 0 && <p className="muted">Click a line number to comment on that line; send all comments to the agent at once.</p>}
      {importNote && (
        <p className="muted" role="status">
          {importNote}
        </p>
      )}
      {commentError && (
        <p className="error" role="alert">
          {commentError}
        </p>
      )}
      {files.length === 0 && <pre className="files">{patch}</pre>}
      {files.map((file) => {
        const name = file.type === "delete" ? file.oldPath : file.newPath;
        const added = file.hunks.reduce((sum, hunk) => sum + hunk.changes.filter((change) => change.type === "insert").length, 0);
        const removed = file.hunks.reduce((sum, hunk) => sum + hunk.changes.filter((change) => change.type === "delete").length, 0);
        return (
          <section key={`${file.oldRevision}-${file.newRevision}-${name}`} className="diff-file" data-testid="diff-file">
            <header>
              <span>
                {file.type === "rename" ? `${file.oldPath} → ${file.newPath}` : name}{" "}
                {file.type === "add" ? "(new)" : file.type === "delete" ? "(deleted)" : ""}
              </span>
              <span>
                <span className="add">+{added}</span> <span className="del">−{removed}</span>
              </span>
            </header>
            {file.hunks.length > 0 ? (
              <Diff
                viewType={viewType}
                diffType={file.type}
                hunks={file.hunks}
                widgets={widgetsFor(file, name)}
                gutterEvents={
                  canComment
                    ? {
                        onClick: ({ change }) => {
                          if (change) setDraft({ ...anchorOf(change), path: name, key: getChangeKey(change) });
                        },
                      }
                    : {}
                }
              >
                {(hunks) => hunks.map((hunk) => <Hunk key={hunk.content} hunk={hunk} />)}
              </Diff>
            ) : (
              <p className="muted" style={{ padding: "0 10px" }}>
                Binary file or mode change.
              </p>
            )}
          </section>
        );
      })}
    </div>
  );
}
