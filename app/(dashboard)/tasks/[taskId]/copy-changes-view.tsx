import type { AttemptDto } from "@/lib/tasks/task.schemas";

/**
 * Copy mode's review: each changed text with a word-level diff and where it lives; for the reviewing
 * engineer, also any HTML tags the change adds (a locale message may be rendered as markup).
 */
export function CopyChangesView({ changes, reviewer = false }: { changes: AttemptDto["copyChanges"]; reviewer?: boolean }) {
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
          {change.translations?.length ? (
            <p className="muted" data-testid="outdated-translations">
              Translations to update: {change.translations.join(", ")} (they still say the old text until the team translates the new one).
            </p>
          ) : null}
          {reviewer && change.addedMarkup.length > 0 && (
            <p className="error" data-testid="added-markup">
              Adds HTML markup: <code>{change.addedMarkup.join(" ")}</code>. Check how this text is rendered before shipping it.
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}
