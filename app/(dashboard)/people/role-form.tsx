"use client";

import { useActionState, useState } from "react";
import { submitWithoutReset } from "@/components/submit-without-reset";
import { changeRoleAction, type RoleFormState } from "./actions";
import { FormError } from "@/components/form-footer";

/** One person's role: pick one and press "Save role". An error (say, demoting the last admin) shows in the row. */
export function RoleForm({ person, roles }: { person: { id: string; email: string; role: string }; roles: readonly string[] }) {
  const [role, setRole] = useState(person.role);
  const [state, action, pending] = useActionState<RoleFormState, FormData>(async (previous, form) => {
    const result = await changeRoleAction(person.id, previous, form);
    // A refused change leaves the stored role as it was, so the select goes back to it.
    if (result.error) setRole(person.role);
    return result;
  }, {});
  const selectId = `role-${person.id}`;
  return (
    <form onSubmit={submitWithoutReset(action)} className="inline-form">
      <label htmlFor={selectId} className="sr-only">
        Role for {person.email}
      </label>
      <select id={selectId} name="role" value={role} onChange={(event) => setRole(event.target.value)}>
        {roles.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      <button type="submit" className="secondary" disabled={pending || role === person.role}>
        Save role
      </button>
      <FormError error={state.error} />
    </form>
  );
}
