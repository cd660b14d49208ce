"use client";

import { useActionState, useEffect } from "react";
import { submitWithoutReset } from "@/components/submit-without-reset";
import { useFieldValues } from "@/components/use-field-values";
import { FormFooter } from "@/components/form-footer";
import { addPersonAction, type AddPersonState } from "./actions";

const initial = { email: "", password: "", role: "engineer" };

export function AddPersonForm({ roles }: { roles: readonly string[] }) {
  const [state, action, pending] = useActionState<AddPersonState, FormData>(addPersonAction, {});
  // Controlled so a rejected submission keeps what was typed; cleared once the person is added.
  const { bind, reset } = useFieldValues(initial, "new-person-");
  useEffect(() => {
    if (state.added) reset();
  }, [state, reset]);
  // noValidate: every check (and its message) comes from the server, shown in one place below.
  return (
    <form onSubmit={submitWithoutReset(action)} noValidate>
      <div className="row">
        <div>
          <label htmlFor="new-person-email">Email</label>
          <input {...bind("email")} type="email" autoComplete="off" />
        </div>
        <div>
          <label htmlFor="new-person-password">Temporary password</label>
          <input {...bind("password")} type="password" autoComplete="new-password" />
        </div>
        <div>
          <label htmlFor="new-person-role">Role</label>
          <select {...bind("role")}>
            {roles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="muted">Share the temporary password with them yourself; Patchbay sends no email.</p>
      {state.added && !pending && (
        <p className="muted" role="status">
          Added {state.added}.
        </p>
      )}
      <FormFooter error={state.error} pending={pending} label="Add person" pendingLabel="Adding…" />
    </form>
  );
}
