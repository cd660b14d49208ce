"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { FormFooter } from "@/components/form-footer";
import { followUpAction, type FormState } from "../../actions";

/** A follow-up continues the task from its current changes; the page re-renders with the new turn. */
export function FollowUpForm({ taskId }: { taskId: string }) {
  const [state, action, pending] = useActionState<FormState & { sent?: number }, FormData>(followUpAction.bind(null, taskId), {});
  const [text, setText] = useState("");
  const router = useRouter();
  useEffect(() => {
    if (state.sent === undefined) return;
    setText("");
    router.refresh();
  }, [state.sent, router]);
  return (
    <form action={action} className="panel">
      <label htmlFor="follow-up">Follow-up</label>
      <textarea id="follow-up" name="text" value={text} onChange={(event) => setText(event.target.value)} placeholder="Also update the README to match." />
      <FormFooter error={state.error} pending={pending} label="Send follow-up" pendingLabel="Sending…" />
    </form>
  );
}
