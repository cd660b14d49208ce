"use client";

import { useActionState } from "react";
import { createDemoEnvironmentAction, type FormState } from "../actions";

/** Offered while the person has no environment: a ready-made site to try copy mode on, offline. */
export function DemoButton() {
  const [state, action, pending] = useActionState<FormState, FormData>(createDemoEnvironmentAction, {});
  return (
    <form action={action}>
      <button type="submit" disabled={pending}>
        {pending ? "Creating the demo…" : "Try copy mode on the demo site"}
      </button>
      <span className="muted"> Paperkite, a small sample website, as a local repository. No model or repository of your own needed.</span>
      {state.error && (
        <div className="error" role="alert">
          {state.error}
        </div>
      )}
    </form>
  );
}
