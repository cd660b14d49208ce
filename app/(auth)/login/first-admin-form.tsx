"use client";

import { signIn } from "next-auth/react";
import { useActionState, useEffect, useRef } from "react";
import { createFirstAdminAction, type FirstAdminState } from "./actions";
import { FormFooter } from "@/components/form-footer";

export function FirstAdminForm() {
  const [state, action, pending] = useActionState<FirstAdminState, FormData>(createFirstAdminAction, {});
  // React resets the form after the action; keep what was typed to sign in right away.
  const typed = useRef({ email: "", password: "" });

  useEffect(() => {
    if (state.created) void signIn("credentials", { ...typed.current, callbackUrl: "/" });
  }, [state.created]);

  return (
    <form
      action={action}
      onSubmit={(event) => {
        const data = new FormData(event.currentTarget);
        typed.current = { email: String(data.get("email")), password: String(data.get("password")) };
      }}
    >
      <h2 style={{ marginTop: 0 }}>Create the admin account</h2>
      <p className="muted">
        This install has no users yet. The first account is the administrator. Enter the setup code that <code>npm start</code> printed in its output (it
        changes at every start).
      </p>
      <label htmlFor="code">Setup code</label>
      <input id="code" name="code" autoComplete="off" spellCheck={false} placeholder="XXXX-XXXX" required />
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" required />
      <label htmlFor="password">Password (at least 10 characters)</label>
      <input id="password" name="password" type="password" minLength={10} required />
      <FormFooter error={state.error} pending={pending} label="Create account" />
    </form>
  );
}
