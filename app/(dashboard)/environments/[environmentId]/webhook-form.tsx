"use client";

import Link from "next/link";
import { useActionState } from "react";
import { FormError } from "@/components/form-footer";
import { useFieldValues } from "@/components/use-field-values";
import type { WebhookView } from "@/lib/triggers/webhook-settings";
import { disableWebhookAction, enableWebhookAction, type FormState, sendTestEventAction, updateAutoReviewAction } from "../../actions";

const SEVERITIES = ["P0", "P1", "P2", "P3"] as const;

/**
 * The forge's webhook: its address and secret (shown once, when made), automatic review's filters, a test
 * event, and a link to the inbox where every delivery's fate shows.
 */
export function WebhookForm(props: { environmentId: string; webhook: WebhookView | null; connectedToGitHub: boolean }) {
  const [enabled, enable, enabling] = useActionState<FormState & { secret?: string; url?: string }, FormData>(
    enableWebhookAction.bind(null, props.environmentId),
    {},
  );
  const [tested, test, testing] = useActionState<FormState & { sent?: string }, FormData>(sendTestEventAction.bind(null, props.environmentId), {});
  const [disabled, disable, disabling] = useActionState<FormState, FormData>(disableWebhookAction.bind(null, props.environmentId), {});
  const inbox = <Link href={`/triggers?environment=${props.environmentId}`}>trigger inbox</Link>;
  if (!props.connectedToGitHub) {
    return (
      <>
        <p className="muted">Webhooks need the environment connected to GitHub above (GitLab and Gitea webhooks are not supported yet).</p>
        {props.webhook && (
          <form action={disable}>
            <button type="submit" className="secondary" disabled={disabling}>
              Turn off the GitHub webhook
            </button>
          </form>
        )}
      </>
    );
  }
  return (
    <>
      <p className="muted">
        GitHub tells Patchbay about comments and pull requests: <code>@patchbay &lt;request&gt;</code> in an issue starts a task whose pull request closes the
        issue, and automatic review reviews every pull request. What became of each delivery is in the {inbox}.
      </p>
      {enabled.secret && !enabled.error && (
        <div role="status" data-testid="webhook-secret">
          <p>
            In the repository on GitHub: <b>Settings → Webhooks → Add webhook</b>, payload URL <code>{enabled.url}</code>, content type{" "}
            <code>application/json</code>, secret <code>{enabled.secret}</code>, events <b>Issue comments</b> and <b>Pull requests</b>.
          </p>
          <p className="muted">The secret is shown this once; make a new one if it is lost.</p>
        </div>
      )}
      {props.webhook ? (
        <>
          <dl className="facts">
            <dt>Payload URL</dt>
            <dd>
              <code data-testid="webhook-url">{props.webhook.url}</code>
            </dd>
          </dl>
          <AutoReviewForm environmentId={props.environmentId} webhook={props.webhook} />
          <div className="inline-form">
            <form action={test}>
              <button type="submit" className="secondary" disabled={testing}>
                {testing ? "Sending…" : "Send a test event"}
              </button>
            </form>
            <form action={enable}>
              <button type="submit" className="secondary" disabled={enabling}>
                New secret
              </button>
            </form>
            <form action={disable}>
              <button type="submit" className="secondary" disabled={disabling}>
                Turn off
              </button>
            </form>
          </div>
          {tested.sent && !tested.error && (
            <p className="muted" role="status">
              Sent: see it in the {inbox}.
            </p>
          )}
        </>
      ) : (
        <form action={enable}>
          <button type="submit" disabled={enabling}>
            {enabling ? "Turning on…" : "Turn on webhooks"}
          </button>
        </form>
      )}
      <FormError error={enabled.error ?? tested.error ?? disabled.error} />
    </>
  );
}

function AutoReviewForm({ environmentId, webhook }: { environmentId: string; webhook: WebhookView }) {
  const [state, action, pending] = useActionState<FormState & { saved?: number }, FormData>(updateAutoReviewAction.bind(null, environmentId), {});
  const settings = webhook.autoReview;
  // Controlled so a refused save keeps what was typed.
  const { bind } = useFieldValues({
    autoReviewBranches: settings.branches.join("\n"),
    autoReviewPaths: settings.paths.join("\n"),
    autoReviewSkipAuthors: settings.skipAuthors.join("\n"),
    autoReviewMinSeverity: settings.minSeverity,
  });
  return (
    <form action={action} data-testid="auto-review">
      <label>
        <input type="checkbox" name="autoReviewEnabled" defaultChecked={settings.enabled} /> Review every pull request automatically
      </label>
      <label htmlFor="autoReviewBranches">Only pull requests into these branches (globs, one per line; empty: all)</label>
      <textarea id="autoReviewBranches" {...bind("autoReviewBranches")} rows={2} spellCheck={false} />
      <label htmlFor="autoReviewPaths">Only when these paths change (globs, one per line; empty: any)</label>
      <textarea id="autoReviewPaths" {...bind("autoReviewPaths")} rows={2} spellCheck={false} />
      <label htmlFor="autoReviewSkipAuthors">Never review pull requests by (GitHub logins, e.g. dependabot[bot])</label>
      <textarea id="autoReviewSkipAuthors" {...bind("autoReviewSkipAuthors")} rows={2} spellCheck={false} />
      <label>
        <input type="checkbox" name="autoReviewDrafts" defaultChecked={settings.drafts} /> Review draft pull requests too
      </label>
      <label htmlFor="autoReviewMinSeverity">Post findings at least this severe</label>
      <select id="autoReviewMinSeverity" {...bind("autoReviewMinSeverity")}>
        {SEVERITIES.map((severity) => (
          <option key={severity} value={severity}>
            {severity}
            {severity === "P0" ? " (only the most severe)" : severity === "P3" ? " (all)" : ""}
          </option>
        ))}
      </select>
      {state.saved && !state.error && !pending && (
        <p className="muted" role="status">
          Saved.
        </p>
      )}
      <FormError error={state.error} />
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save automatic review"}
      </button>
    </form>
  );
}
