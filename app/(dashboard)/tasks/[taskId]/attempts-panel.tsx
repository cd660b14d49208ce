"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { AttemptDto } from "@/lib/tasks/task.schemas";
import { selectAttemptAction } from "../../actions";

/** Best-of-N: the attempts side by side, with the recommendation and a way to pick one. */
export function AttemptsPanel(props: { taskId: string; attempts: AttemptDto[]; chosen: number | null; recommended: number | null; selected: number | null }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  return (
    <div className="panel" data-testid="attempts">
      <table>
        <thead>
          <tr>
            <th>Attempt</th>
            <th>Status</th>
            <th>Changes</th>
            <th>Check</th>
            <th>Screenshots</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {props.attempts.map((attempt) => {
            const changedShots = attempt.screenshots?.shots.filter((shot) => shot.status === "changed").length ?? null;
            return (
              <tr key={attempt.id} data-testid="attempt-row" data-chosen={attempt.index === props.chosen ? "true" : "false"}>
                <td>
                  {attempt.index + 1} {attempt.index === props.recommended && <span className="badge completed">recommended</span>}{" "}
                  {attempt.index === props.selected && <span className="badge running">selected</span>}
                </td>
                <td>
                  <span className={`badge ${attempt.status === "provisioning" ? "running" : attempt.status}`}>{attempt.status}</span>
                </td>
                <td>
                  {attempt.filesChanged} file(s) <span className="add">+{attempt.additions}</span> <span className="del">−{attempt.deletions}</span>
                </td>
                <td>{attempt.checkPassed === null ? "—" : attempt.checkPassed ? "passed" : "failed"}</td>
                <td>{changedShots === null ? "—" : `${changedShots} changed`}</td>
                <td>
                  {attempt.status === "completed" && attempt.index !== props.chosen && (
                    <button
                      type="button"
                      className="secondary"
                      disabled={pending}
                      onClick={() =>
                        startTransition(async () => {
                          const result = await selectAttemptAction(props.taskId, attempt.index);
                          setError(result.error ?? null);
                          router.refresh();
                        })
                      }
                    >
                      Use attempt {attempt.index + 1}
                    </button>
                  )}
                  {attempt.index === props.chosen && <span className="muted">shown below</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {error && <p className="error">{error}</p>}
    </div>
  );
}
