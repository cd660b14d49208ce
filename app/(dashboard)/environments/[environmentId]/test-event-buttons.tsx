"use client";

import Link from "next/link";
import { useActionState } from "react";
import { FormError } from "@/components/form-footer";
import type { FormState } from "../../actions";

/**
 * An integration's "Send a test event" and "Disconnect" buttons, and where the test event shows: the trigger
 * inbox. The actions come bound to the environment.
 */
export function TestEventButtons(props: {
  environmentId: string;
  send: (previous: FormState) => Promise<FormState & { sent?: string }>;
  disconnect: (previous: FormState) => Promise<FormState>;
  disconnectLabel: string;
  /** False when the installation lacks what the test needs (the page says why). */
  canSend?: boolean;
}) {
  const [tested, test, testing] = useActionState<FormState & { sent?: string }, FormData>(props.send, {});
  const [cleared, clear, clearing] = useActionState<FormState, FormData>(props.disconnect, {});
  return (
    <>
      <div className="inline-form">
        <form action={test}>
          <button type="submit" className="secondary" disabled={testing || props.canSend === false}>
            {testing ? "Sending…" : "Send a test event"}
          </button>
        </form>
        <form action={clear}>
          <button type="submit" className="secondary" disabled={clearing}>
            {props.disconnectLabel}
          </button>
        </form>
      </div>
      {tested.sent && !tested.error && (
        <p className="muted" role="status">
          Sent: see it in the <Link href={`/triggers?environment=${props.environmentId}`}>trigger inbox</Link>.
        </p>
      )}
      <FormError error={tested.error ?? cleared.error} />
    </>
  );
}
