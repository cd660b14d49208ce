"use client";

import Link from "next/link";
import { useActionState } from "react";
import { FormError } from "@/components/form-footer";
import { useFieldValues } from "@/components/use-field-values";
import type { WebhookView } from "@/lib/triggers/webhook-settings";
import { disableWebhookAction, enableWebhookAction, type FormState, sendTestEventAction, updateAutoReviewAction } from "../../actions";

const SEVERITIES = ["P0", "P1", "P2", "P3"] as const;

/** The forges that send webhooks; Forgejo uses Gitea's receiver. */
type WebhookForge = "github" | "gitlab" | "gitea";
const FORGE_NAMES: Record<WebhookForge, string> = { github: "GitHub", gitlab: "GitLab", gitea: "Gitea or Forgejo" };

/**
 * The forge's webhook: its address and secret (shown once, when made), automatic review's filters, a test
 * event, and a link to the inbox where every delivery's fate shows. `forge` is the environment's forge when
 * it sends webhooks (null: a plain git remote, or none).
 */
export function WebhookForm(props: { environmentId: string; webhook: WebhookView | null; forge: WebhookForge | null }) {
  const [enabled, enable, enabling] = useActionState<FormState & { secret?: string; url?: string }, FormData>(
    enableWebhookAction.bind(null, props.environmentId),
    {},
  );
  const [tested, test, testing] = useActionState<FormState & { sent?: string }, FormData>(sendTestEventAction.bind(null, props.environmentId), {});
  const [disabled, disable, disabling] = useActionState<FormState, FormData>(disableWebhookAction.bind(null, props.environmentId), {});
  const inbox = <Link href={`/triggers?environment=${props.environmentId}`}>trigger inbox</Link>;
  if (!props.forge) {
    return (
      <>
        <p className="muted">Webhooks need the environment connected to GitHub, GitLab or Gitea/Forgejo above (a plain git remote sends none).</p>
        {props.webhook && (
          <form action={disable}>
            <button type="submit" className="secondary" disabled={disabling}>
              Turn off the webhook
            </button>
          </form>
        )}
      </>
    );
  }
  const forge = FORGE_NAMES[props.forge];
  return (
    <>
      <p className="muted">
        {forge} tells Patchbay about comments and {props.forge === "gitlab" ? "merge" : "pull"} requests: <code>@patchbay &lt;request&gt;</code> in an issue
        starts a task whose {props.forge === "gitlab" ? "merge" : "pull"} request closes the issue, and automatic review reviews every one. What became of each
        delivery is in the {inbox}.
      </p>
      {enabled.secret && !enabled.error && (
        <div role="status" data-testid="webhook-secret">
          <SetupSteps forge={props.forge} url={enabled.url ?? ""} secret={enabled.secret} />
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
          <AutoReviewForm environmentId={props.environmentId} webhook={props.webhook} forge={props.forge} />
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

/** Where to paste the address and the secret on each forge, and which events to tick. */
function SetupSteps({ forge, url, secret }: { forge: WebhookForge; url: string; secret: string }) {
  if (forge === "gitlab") {
    return (
      <p>
        In the project on GitLab: <b>Settings → Webhooks → Add new webhook</b>, URL <code>{url}</code>, secret token <code>{secret}</code>, triggers{" "}
        <b>Comments</b> and <b>Merge request events</b>. Then set your GitLab login below: only your comments start tasks.
      </p>
    );
  }
  if (forge === "gitea") {
    return (
      <p>
        In the repository on Gitea or Forgejo: <b>Settings → Webhooks → Add webhook → Gitea</b> (Forgejo: <b>Forgejo</b>), target URL <code>{url}</code>,
        content type <code>application/json</code>, secret <code>{secret}</code>, custom events <b>Issue comment</b>, <b>Pull request comment</b>,{" "}
        <b>Pull request</b> and <b>Pull request synchronized</b>. Then set your login below: only your comments start tasks.
      </p>
    );
  }
  return (
    <p>
      In the repository on GitHub: <b>Settings → Webhooks → Add webhook</b>, payload URL <code>{url}</code>, content type <code>application/json</code>, secret{" "}
      <code>{secret}</code>, events <b>Issue comments</b> and <b>Pull requests</b>.
    </p>
  );
}

function AutoReviewForm({ environmentId, webhook, forge }: { environmentId: string; webhook: WebhookView; forge: WebhookForge }) {
  const [state, action, pending] = useActionState<FormState & { saved?: number }, FormData>(updateAutoReviewAction.bind(null, environmentId), {});
  const settings = webhook.autoReview;
  // Controlled so a refused save keeps what was typed.
  const { bind } = useFieldValues({
    autoReviewBranches: settings.branches.join("\n"),
    autoReviewPaths: settings.paths.join("\n"),
    autoReviewSkipAuthors: settings.skipAuthors.join("\n"),
    autoReviewMinSeverity: settings.minSeverity,
    forgeLogin: webhook.forgeLogin ?? "",
  });
  const forgeName = FORGE_NAMES[forge];
  return (
    <form action={action} data-testid="auto-review">
      {forge !== "github" && (
        <>
          {/* Patchbay's sign-in is GitHub's: nothing links a GitLab or Gitea account, so the owner says which is theirs. */}
          <label htmlFor="forgeLogin">Your {forgeName} login (only your @patchbay comments start tasks)</label>
          <input id="forgeLogin" {...bind("forgeLogin")} spellCheck={false} autoComplete="off" placeholder="e.g. jsmith" />
        </>
      )}
      <label>
        <input type="checkbox" name="autoReviewEnabled" defaultChecked={settings.enabled} /> Review every pull request automatically
      </label>
      <label htmlFor="autoReviewBranches">Only pull requests into these branches (globs, one per line; empty: all)</label>
      <textarea id="autoReviewBranches" {...bind("autoReviewBranches")} rows={2} spellCheck={false} />
      <label htmlFor="autoReviewPaths">Only when these paths change (globs, one per line; empty: any)</label>
      <textarea id="autoReviewPaths" {...bind("autoReviewPaths")} rows={2} spellCheck={false} />
      <label htmlFor="autoReviewSkipAuthors">
        Never review pull requests by ({forgeName} logins, e.g. {forge === "github" ? "dependabot[bot]" : "renovate-bot"})
      </label>
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
        {pending ? "Saving…" : forge === "github" ? "Save automatic review" : "Save"}
      </button>
    </form>
  );
}
