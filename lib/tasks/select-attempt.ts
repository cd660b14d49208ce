// Best-of-N: the person picks one completed attempt of the task's latest turn; the diff endpoint, the
// patch and later follow-ups use it from then on.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

export async function selectAttempt(userId: string, taskId: string, attemptIndex: number): Promise<{ selected: number }> {
  if (!Number.isInteger(attemptIndex) || attemptIndex < 0) throw new AppError("bad_request", "The attempt number must be 0 or more.");
  const task = await db().task.findFirst({
    where: { id: taskId, ownerId: userId },
    select: { turns: { orderBy: { index: "desc" }, take: 1, select: { id: true, attempts: { select: { id: true, index: true, status: true } } } } },
  });
  if (!task) throw new AppError("not_found", "Task not found.");
  const turn = task.turns[0];
  const attempt = turn?.attempts.find((candidate) => candidate.index === attemptIndex);
  if (!turn || !attempt) throw new AppError("not_found", `The task has no attempt ${attemptIndex}.`);
  if (attempt.status !== "completed") throw new AppError("conflict", `Attempt ${attemptIndex} is ${attempt.status}; only a completed attempt can be selected.`);
  await db().turn.update({ where: { id: turn.id }, data: { selectedAttemptId: attempt.id } });
  return { selected: attemptIndex };
}
