"use client";

import { useActionState, useState } from "react";
import { submitWithoutReset } from "@/components/submit-without-reset";
import { type RevokeTokenState, revokeTokenAction } from "./actions";
import { FormError } from "@/components/form-footer";

/** Revoke, then a second press to confirm: scripts that use the token stop working at once. */
export function RevokeTokenButton({ token }: { token: { id: string; name: string | null } }) {
  const [confirming, setConfirming] = useState(false);
  const [state, action, pending] = useActionState<RevokeTokenState, FormData>(revokeTokenAction.bind(null, token.id), {});
  const label = token.name ? `“${token.name}”` : "this token";
  if (!confirming) {
    return (
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        Revoke
      </button>
    );
  }
  return (
    <form onSubmit={submitWithoutReset(action)} className="inline-form">
      <span>Revoke {label}? Anything using it stops working.</span>
      <button type="submit" className="danger" disabled={pending}>
        {pending ? "Revoking…" : "Yes, revoke"}
      </button>
      <button type="button" className="secondary" disabled={pending} onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <FormError error={state.error} />
    </form>
  );
}
