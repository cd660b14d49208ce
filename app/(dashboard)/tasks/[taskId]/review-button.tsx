"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { startReviewAction } from "../../actions";

/** Starts a review task of this task's change and opens it. */
export function ReviewButton({ taskId, environmentId }: { taskId: string; environmentId: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  return (
    <p>
      <button
        type="button"
        className="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await startReviewAction(environmentId, taskId);
            setError(result.error ?? null);
            if (result.redirectTo) router.push(result.redirectTo);
          })
        }
      >
        {pending ? "Starting…" : "Review this change"}
      </button>
      {error && <span className="error"> {error}</span>}
    </p>
  );
}
