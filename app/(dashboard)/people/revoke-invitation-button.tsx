"use client";

import { useState, useTransition } from "react";
import { revokeInvitationAction } from "./actions";
import { FormError } from "@/components/form-footer";

export function RevokeInvitationButton({ invitationId, email }: { invitationId: string; email: string }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | undefined>();
  return (
    <>
      <button
        type="button"
        className="secondary"
        aria-label={`Revoke the invitation for ${email}`}
        disabled={pending}
        onClick={() => startTransition(async () => setError((await revokeInvitationAction(invitationId)).error))}
      >
        Revoke
      </button>
      <FormError error={error} />
    </>
  );
}
