// Setting which paths each role may change in copy mode. The environment's owner (an engineer or admin)
// decides; copywriters see the environment in Copy once their role has at least one path. Roles not in
// the request keep their list (the page edits the copywriter list only).
import { requireRole } from "@/lib/auth/require-role";
import { copyPathsSchema, parseStoredCopyPaths } from "@/lib/copy/path-scope";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { z } from "zod";
import { environmentSelect, toEnvironmentDto } from "./environment-queries";
import type { EnvironmentDto } from "./environment.schemas";

const updateSchema = z.strictObject({ copyPaths: copyPathsSchema });

export async function updateCopyPaths(userId: string, environmentId: string, input: unknown): Promise<EnvironmentDto> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can change an environment.");
  const { copyPaths } = updateSchema.parse(input);
  const owned = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { copyPaths: true } });
  if (!owned) throw new AppError("not_found", "Environment not found.");
  const merged = { ...parseStoredCopyPaths(owned.copyPaths), ...copyPaths };
  const row = await db().environment.update({ where: { id: environmentId }, data: { copyPaths: merged }, select: environmentSelect });
  return toEnvironmentDto(row);
}
