"use client";

import { useActionState } from "react";
import { updateCopyPathsAction, type FormState } from "../actions";

/** Which paths copywriters may change in this environment; enforced by the worker on every copy diff. */
export function CopyPathsForm({ environmentId, environmentName, paths }: { environmentId: string; environmentName: string; paths: string[] }) {
  const [state, action, pending] = useActionState<FormState & { saved?: number }, FormData>(updateCopyPathsAction.bind(null, environmentId), {});
  return (
    <form action={action} className="inline-form">
      <label className="sr-only" htmlFor={`copy-paths-${environmentId}`}>
        Copywriter paths for {environmentName}
      </label>
      <textarea
        id={`copy-paths-${environmentId}`}
        name="copywriterPaths"
        rows={2}
        defaultValue={paths.join("\n")}
        placeholder="none: Copy is off for copywriters"
      />
      <button type="submit" className="secondary" disabled={pending}>
        Save paths
      </button>
      {state.saved && !state.error && <span className="muted">Saved.</span>}
      {state.error && (
        <span className="error" role="alert">
          {state.error}
        </span>
      )}
    </form>
  );
}
