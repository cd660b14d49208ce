"use client";

import { useActionState, useEffect, useState } from "react";
import { FormFooter } from "@/components/form-footer";
import { submitWithoutReset } from "@/components/submit-without-reset";
import { DEFAULT_EXPIRES_IN_DAYS, EXPIRY_CHOICES } from "@/lib/auth/api-token.schemas";
import { type CreateTokenState, createTokenAction } from "./actions";

function expiryLabel(choice: (typeof EXPIRY_CHOICES)[number]): string {
  return choice === "never" ? "No expiration" : `${choice} days`;
}

export function CreateTokenForm() {
  const [state, action, pending] = useActionState<CreateTokenState, FormData>(createTokenAction, {});
  // Controlled so a rejected submission keeps what was typed; the name is cleared once the token exists.
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState(String(DEFAULT_EXPIRES_IN_DAYS));
  useEffect(() => {
    if (state.created) setName("");
  }, [state]);
  return (
    <>
      <form onSubmit={submitWithoutReset(action)} noValidate>
        <div className="row">
          <div>
            <label htmlFor="new-token-name">Name</label>
            <input
              id="new-token-name"
              name="name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              placeholder="CI deploy script"
              autoComplete="off"
            />
          </div>
          <div>
            <label htmlFor="new-token-expiry">Expires after</label>
            <select id="new-token-expiry" name="expiry" value={expiry} onChange={(event) => setExpiry(event.target.value)}>
              {EXPIRY_CHOICES.map((choice) => (
                <option key={choice} value={choice}>
                  {expiryLabel(choice)}
                </option>
              ))}
            </select>
          </div>
        </div>
        {expiry === "never" && <p className="muted">A token without an expiry works until you revoke it; prefer one that expires.</p>}
        <FormFooter error={state.error} pending={pending} label="Create token" pendingLabel="Creating…" />
      </form>
      {state.created && !pending && <NewTokenSecret key={state.created.id} created={state.created} />}
    </>
  );
}

/** The secret, once: the page never receives it again, so it says so and offers a copy button. */
function NewTokenSecret({ created }: { created: NonNullable<CreateTokenState["created"]> }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    // The clipboard API needs a secure context (https or localhost); otherwise the field is there to select.
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <div role="status">
      <p>
        <strong>Copy the token for &ldquo;{created.name}&rdquo; now: it is not shown again.</strong>{" "}
        <span className="muted">{created.expiresAt ? `It expires on ${created.expiresAt.slice(0, 10)}.` : "It does not expire."}</span>
      </p>
      <div className="inline-form">
        <label htmlFor="new-token-secret" className="sr-only">
          New API token
        </label>
        <input id="new-token-secret" readOnly value={created.token} onFocus={(event) => event.target.select()} style={{ flex: 1, fontFamily: "var(--mono)" }} />
        <button type="button" className="secondary" onClick={copy}>
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      {copied === "failed" && <p className="muted">This browser did not allow copying; select the token and copy it yourself.</p>}
      <p className="muted">
        Send it as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
    </div>
  );
}
