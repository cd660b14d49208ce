"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { cancelTaskAction } from "../../actions";

export function CancelButton({ taskId }: { taskId: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await cancelTaskAction(taskId);
            setError(result.error ?? null);
            router.refresh();
          })
        }
      >
        {pending ? "Cancelling…" : "Cancel task"}
      </button>
      {error && <span className="error">{error}</span>}
    </>
  );
}
