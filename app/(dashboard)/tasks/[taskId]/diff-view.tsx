"use client";

import { useEffect, useMemo, useState } from "react";
import { Diff, Hunk, parseDiff, type FileData, type ViewType } from "react-diff-view";
import "react-diff-view/style/index.css";

/** The attempt's patch, per file, split or unified; rendered as text by react-diff-view. */
export function DiffView({ taskId }: { taskId: string }) {
  const [patch, setPatch] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [viewType, setViewType] = useState<ViewType>("split");

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
      </div>
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
              <Diff viewType={viewType} diffType={file.type} hunks={file.hunks}>
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
