"use client";

import { useActionState } from "react";
import { FormError } from "@/components/form-footer";
import { type FormState, retryTriggerAction } from "../actions";

export function RetryTriggerButton({ triggerId }: { triggerId: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(retryTriggerAction.bind(null, triggerId), {});
  return (
    <form action={action}>
      <button type="submit" className="secondary" disabled={pending}>
        {pending ? "Retrying…" : "Retry"}
      </button>
      <FormError error={state.error} />
    </form>
  );
}
