"use client";

import Link from "next/link";
import { useActionState } from "react";
import { FormError } from "@/components/form-footer";
import type { LinearView } from "@/lib/triggers/linear-settings";
import { clearLinearAction, type FormState, saveLinearAction, sendLinearTestEventAction } from "../../actions";
import { TestEventButtons } from "./test-event-buttons";

/**
 * Linear: the webhook's address to paste in Linear, the signing secret Linear shows for it and the API key of
 * the Linear user Patchbay acts as (both write-only), a test event, and a link to the inbox.
 */
export function LinearForm(props: { environmentId: string; linear: LinearView | null; webhookUrl: string }) {
  const [saved, save, saving] = useActionState<FormState & { saved?: number }, FormData>(saveLinearAction.bind(null, props.environmentId), {});
  const inbox = <Link href={`/triggers?environment=${props.environmentId}`}>trigger inbox</Link>;
  const agent = props.linear?.agent;
  return (
    <>
      <p className="muted">
        Assigning a Linear issue to Patchbay&apos;s Linear user, or mentioning that user in a comment, starts a task with the issue&apos;s title and
        description; Patchbay comments on the issue when it starts and when it ends. What became of each delivery is in the {inbox}.
      </p>
      <p className="muted">
        In Linear: <b>Settings → API → Webhooks → New webhook</b>, URL <code data-testid="linear-webhook-url">{props.webhookUrl}</code>, data change events{" "}
        <b>Issues</b> and <b>Comments</b>; then paste the webhook&apos;s signing secret here, and a personal API key of the user Patchbay acts as.
      </p>
      {agent && (
        <dl className="facts" data-testid="linear-agent">
          <dt>Acts as</dt>
          <dd>
            {agent.name}
            {agent.displayName ? ` (@${agent.displayName})` : ""}
          </dd>
        </dl>
      )}
      <form action={save} data-testid="linear-settings">
        <label htmlFor="linear-signing-secret">Webhook signing secret</label>
        <input
          id="linear-signing-secret"
          name="signingSecret"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={agent ? "(stored; leave blank to keep)" : "lin_wh_…"}
        />
        <label htmlFor="linear-api-key">API key of Patchbay&apos;s Linear user</label>
        <input
          id="linear-api-key"
          name="apiKey"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={agent ? "(stored; leave blank to keep)" : "lin_api_…"}
        />
        {saved.saved && !saved.error && !saving && (
          <p className="muted" role="status">
            Saved.
          </p>
        )}
        <button type="submit" disabled={saving}>
          {saving ? "Checking the key with Linear…" : "Save Linear settings"}
        </button>
      </form>
      {props.linear && (
        <TestEventButtons
          environmentId={props.environmentId}
          send={sendLinearTestEventAction.bind(null, props.environmentId)}
          disconnect={clearLinearAction.bind(null, props.environmentId)}
          disconnectLabel="Disconnect from Linear"
        />
      )}
      <FormError error={saved.error} />
    </>
  );
}
