"use client";

import Link from "next/link";
import { useActionState } from "react";
import { FormError } from "@/components/form-footer";
import { useFieldValues } from "@/components/use-field-values";
import type { SlackSettings } from "@/lib/triggers/slack-settings";
import { clearSlackAction, type FormState, saveSlackAction, sendSlackTestEventAction } from "../../actions";
import { TestEventButtons } from "./test-event-buttons";

/**
 * Slack: the name people type after /patchbay and the channels whose mentions start tasks here. The Slack
 * app itself (its signing secret and bot token) is the installation's, set by whoever runs Patchbay.
 */
export function SlackForm(props: { environmentId: string; slack: SlackSettings | null; appConfigured: boolean }) {
  const [saved, save, saving] = useActionState<FormState & { saved?: number }, FormData>(saveSlackAction.bind(null, props.environmentId), {});
  const { bind } = useFieldValues({ name: props.slack?.name ?? "", channels: props.slack?.channels.join("\n") ?? "" }, "slack-");
  const inbox = <Link href={`/triggers?environment=${props.environmentId}`}>trigger inbox</Link>;
  return (
    <>
      {!props.appConfigured && (
        <p className="muted" data-testid="slack-not-configured">
          This Patchbay has no Slack app yet: whoever runs it sets PATCHBAY_SLACK_SIGNING_SECRET and PATCHBAY_SLACK_BOT_TOKEN (see the README).
        </p>
      )}
      <p className="muted">
        <code>/patchbay &lt;name&gt; &lt;request&gt;</code> anywhere, or <code>@Patchbay &lt;request&gt;</code> in these channels, starts a task here; Patchbay
        answers in the thread, and a reply in the thread continues the task. What became of each request is in the {inbox}.
      </p>
      <form action={save} data-testid="slack-settings">
        <label htmlFor="slack-name">Name after /patchbay</label>
        <input {...bind("name")} placeholder="web" spellCheck={false} />
        <label htmlFor="slack-channels">Channels (ids like C0123456789, one per line)</label>
        <textarea {...bind("channels")} rows={2} spellCheck={false} />
        {saved.saved && !saved.error && !saving && (
          <p className="muted" role="status">
            Saved.
          </p>
        )}
        <button type="submit" disabled={saving}>
          {saving ? "Saving…" : "Save Slack settings"}
        </button>
      </form>
      {props.slack && (
        <TestEventButtons
          environmentId={props.environmentId}
          send={sendSlackTestEventAction.bind(null, props.environmentId)}
          disconnect={clearSlackAction.bind(null, props.environmentId)}
          disconnectLabel="Disconnect from Slack"
          canSend={props.appConfigured}
        />
      )}
      <FormError error={saved.error} />
    </>
  );
}
