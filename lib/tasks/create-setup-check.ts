// "Test setup" (the environment doctor): a task of mode `setup` that runs the environment's setup, or
// reuses its cache, with no model, and reports the toolchain versions, the cache verdict, the size of
// the cached result and the hosts the proxy refused. It ends completed or failed like any task.
import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { appendEvent } from "@/lib/timeline/append-event";
import { enqueueAll } from "./enqueue-attempts";
import { createWithinUserLimits } from "./user-limits";

const PROMPT = "Test the environment's setup";

export async function createSetupCheck(userId: string, environmentId: string): Promise<{ id: string; attemptId: string }> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can test an environment's setup.");
  const environment = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { id: true, defaultBranch: true } });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  const created = await createWithinUserLimits(userId, 1, (tx) =>
    tx.task.create({
      data: {
        ownerId: userId,
        environmentId: environment.id,
        prompt: PROMPT,
        mode: "setup",
        branch: environment.defaultBranch,
        title: "Test setup",
        turns: { create: { index: 0, prompt: PROMPT, attempts: { create: [{ index: 0 }] } } },
      },
      select: { id: true, turns: { select: { attempts: { select: { id: true } } } } },
    }),
  );
  const attemptId = created.turns[0]?.attempts[0]?.id;
  if (!attemptId) throw new AppError("internal", "The setup check was created without an attempt.");
  await appendEvent({ attemptId, taskId: created.id }, { type: "turn", payload: { index: 0, prompt: PROMPT } });
  await enqueueAll(created.id, [attemptId]);
  return { id: created.id, attemptId };
}
