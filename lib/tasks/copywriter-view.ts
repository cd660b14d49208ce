// What a copywriter may see of a task, on every channel (pages, API, exports): the words and the
// pictures. The code diff, the timeline (commands, check output), setup reports, preview server logs and
// the engineers' error details are for engineers: copywriters get a task with those removed, and the
// diff and timeline endpoints refuse them (task-queries.ts).
import type { AttemptDto, TaskDto } from "./task.schemas";

/** An error as a copywriter sees it: its first line (copy-mode messages are one line; logs follow the first). */
function plainError(error: string): string {
  const first = error.split("\n", 1)[0]?.trim() ?? "";
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

function attemptView(attempt: AttemptDto): AttemptDto {
  return {
    ...attempt,
    error: attempt.error === null ? null : plainError(attempt.error),
    finalMessage: null,
    baseCommit: null,
    setup: null,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    steps: 0,
    screenshots: attempt.screenshots && {
      ...attempt.screenshots,
      failures: attempt.screenshots.failures.map((failure) => ({ ...failure, logTail: "" })),
      blockedRequests: [],
    },
  };
}

export function copywriterView(task: TaskDto): TaskDto {
  const { error, ...rest } = task;
  return {
    ...rest,
    ...(error ? { error: plainError(error) } : {}),
    attempt: task.attempt && attemptView(task.attempt),
    attempts: task.attempts.map(attemptView),
  };
}
