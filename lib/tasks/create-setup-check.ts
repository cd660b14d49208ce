// "Test setup" (the environment doctor): a task of mode `setup` that runs the environment's setup, or
// reuses its cache, with no model, and reports the toolchain versions, the cache verdict, the size of
// the cached result and the hosts the proxy refused. It ends completed or failed like any task.
import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createModelFreeTask } from "./create-model-free-task";

const PROMPT = "Test the environment's setup";

export async function createSetupCheck(userId: string, environmentId: string): Promise<{ id: string; attemptId: string }> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can test an environment's setup.");
  const environment = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { id: true, defaultBranch: true } });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  return createModelFreeTask(userId, { environmentId: environment.id, branch: environment.defaultBranch, mode: "setup", title: "Test setup", prompt: PROMPT });
}
