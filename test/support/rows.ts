// Database rows for tests that need an attempt without queueing a job (a queued job would be picked up
// by the next test file's worker).
import { db } from "@/lib/db";
import type { AttemptStatusValue } from "@/lib/tasks/task-status";
import { createUser } from "./test-worker";

export async function createAttemptRow(status: AttemptStatusValue = "running"): Promise<{ attemptId: string; taskId: string }> {
  const user = await createUser();
  const environment = await db().environment.create({
    data: { ownerId: user.id, name: "rows", repoUrl: "https://example.com/rows.git", defaultBranch: "main" },
    select: { id: true },
  });
  const task = await db().task.create({
    data: {
      ownerId: user.id,
      environmentId: environment.id,
      prompt: "fixture",
      branch: "main",
      title: "fixture",
      turns: { create: { index: 0, prompt: "fixture", attempts: { create: { index: 0, status } } } },
    },
    select: { id: true, turns: { select: { attempts: { select: { id: true } } } } },
  });
  const attemptId = task.turns[0]?.attempts[0]?.id;
  if (!attemptId) throw new Error("fixture attempt was not created");
  return { taskId: task.id, attemptId };
}
