"use client";

import { useActionState, useEffect } from "react";
import { FormFooter } from "@/components/form-footer";
import { submitWithoutReset } from "@/components/submit-without-reset";
import { useFieldValues } from "@/components/use-field-values";
import { inviteAction, type InviteState } from "./actions";

const initial = { email: "", role: "engineer" };

/** Invites a GitHub email: sign-in with GitHub, where that email is verified, joins with the role chosen here. */
export function InviteForm({ roles }: { roles: readonly string[] }) {
  const [state, action, pending] = useActionState<InviteState, FormData>(inviteAction, {});
  const { bind, reset } = useFieldValues(initial, "invite-");
  useEffect(() => {
    if (state.invited) reset();
  }, [state, reset]);
  return (
    <form onSubmit={submitWithoutReset(action)} noValidate>
      <div className="row">
        <div>
          <label htmlFor="invite-email">GitHub email</label>
          <input {...bind("email")} type="email" autoComplete="off" />
        </div>
        <div>
          <label htmlFor="invite-role">Invitation role</label>
          <select {...bind("role")}>
            {roles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="muted">
        They sign in with GitHub; the email must be verified on their GitHub account. Inviting the email of an existing account lets it sign in with GitHub too
        (its role stays). Invitations last 14 days.
      </p>
      {state.invited && !pending && (
        <p className="muted" role="status">
          Invited {state.invited}.
        </p>
      )}
      <FormFooter error={state.error} pending={pending} label="Invite" pendingLabel="Inviting…" />
    </form>
  );
}
