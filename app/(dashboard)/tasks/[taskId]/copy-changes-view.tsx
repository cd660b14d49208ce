import type { AttemptDto } from "@/lib/tasks/task.schemas";

/** Copy mode's review: each changed text with a word-level diff and where it lives. */
export function CopyChangesView({ changes }: { changes: AttemptDto["copyChanges"] }) {
  return (
    <ul className="copy-changes" data-testid="copy-changes">
      {changes.map((change) => (
        <li key={change.id} className="panel" data-testid="copy-change">
          <p className="word-diff" data-testid="word-diff">
            {change.parts.map((part, index) =>
              part.type === "added" ? (
                <ins key={index}>{part.text}</ins>
              ) : part.type === "removed" ? (
                <del key={index}>{part.text}</del>
              ) : (
                <span key={index}>{part.text}</span>
              ),
            )}
          </p>
          <p className="muted">
            {change.key ? <code>{change.key}</code> : change.component} · {change.path}:{change.line}
          </p>
        </li>
      ))}
    </ul>
  );
}
