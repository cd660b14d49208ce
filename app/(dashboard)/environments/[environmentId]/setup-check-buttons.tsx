"use client";

import { useActionState } from "react";
import { type FormState, resetSetupCacheAction, testSetupAction } from "../../actions";
import { FormError } from "@/components/form-footer";

/** Test setup (a setup-only task; opens its page) and Reset cache (the next task runs setup from scratch). */
export function SetupCheckButtons({ environmentId }: { environmentId: string }) {
  const [testState, testAction, testing] = useActionState<FormState, FormData>(testSetupAction.bind(null, environmentId), {});
  const [resetState, resetAction, resetting] = useActionState<FormState & { removed?: number }, FormData>(resetSetupCacheAction.bind(null, environmentId), {});
  return (
    <>
      <div className="inline-form">
        <form action={testAction}>
          <button type="submit" disabled={testing}>
            {testing ? "Starting…" : "Test setup"}
          </button>
        </form>
        <form action={resetAction}>
          <button type="submit" className="secondary" disabled={resetting}>
            Reset cache
          </button>
        </form>
      </div>
      {resetState.removed !== undefined && !resetState.error && (
        <p className="muted" role="status">
          Removed {resetState.removed} saved setup{resetState.removed === 1 ? "" : "s"}; the next task runs the setup script from scratch.
        </p>
      )}
      <FormError error={testState.error ?? resetState.error} />
    </>
  );
}
