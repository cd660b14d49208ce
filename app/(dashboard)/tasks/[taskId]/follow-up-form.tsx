"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { FormFooter } from "@/components/form-footer";
import { followUpAction, type FormState } from "../../actions";

/**
 * A finished task: a follow-up continues it from its current changes. A running one: the message steers
 * the agent at its next model call. The page re-renders either way.
 */
export function FollowUpForm({ taskId, running }: { taskId: string; running: boolean }) {
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
      <label htmlFor="follow-up">{running ? "Message the agent (it reads it before its next step)" : "Follow-up"}</label>
      <textarea id="follow-up" name="text" value={text} onChange={(event) => setText(event.target.value)} placeholder="Also update the README to match." />
      <FormFooter error={state.error} pending={pending} label={running ? "Send message" : "Send follow-up"} pendingLabel="Sending…" />
    </form>
  );
}
