// Changing an environment after creation (PATCH): any field, by its owner (an engineer or admin). Copy
// paths merge per role (the page edits the copywriter list only) and secrets per name (null removes one);
// everything else replaces the stored value, and null clears an optional field.
import { requireRole } from "@/lib/auth/require-role";
import { parseStoredCopyPaths } from "@/lib/copy/path-scope";
import { db, DbNull, type Prisma } from "@/lib/db";
import { demoReposRoot } from "@/lib/demo/demo-environment";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { classifyRepoUrl } from "@/lib/git-refs";
import { setupColumns } from "./environment-data";
import { environmentSelect, toEnvironmentDto } from "./environment-queries";
import { updateEnvironmentSchema, type EnvironmentDto } from "./environment.schemas";

export async function updateEnvironment(userId: string, environmentId: string, input: unknown): Promise<EnvironmentDto> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can change an environment.");
  const fields = updateEnvironmentSchema.parse(input);
  const owned = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { copyPaths: true, secrets: true } });
  if (!owned) throw new AppError("not_found", "Environment not found.");
  const { name, repoUrl, defaultBranch, instructions, model, modelApi, checkCommand, preview, copyPaths, ...setup } = fields;
  if (repoUrl !== undefined) classifyRepoUrl(repoUrl, { allowLocal: sharedEnv().PATCHBAY_ALLOW_LOCAL_REPOS, localRoots: [demoReposRoot()] });

  const data: Prisma.EnvironmentUpdateInput = setupColumns(setup, owned.secrets);
  if (name !== undefined) data.name = name;
  if (repoUrl !== undefined) data.repoUrl = repoUrl;
  if (defaultBranch !== undefined) data.defaultBranch = defaultBranch;
  if (instructions !== undefined) data.instructions = instructions?.trim() || null;
  if (model !== undefined) data.model = model || null;
  if (modelApi !== undefined) data.modelApi = modelApi;
  if (checkCommand !== undefined) data.checkCommand = checkCommand || null;
  if (preview !== undefined) data.preview = preview ?? DbNull;
  if (copyPaths !== undefined) data.copyPaths = { ...parseStoredCopyPaths(owned.copyPaths), ...copyPaths };
  const row = await db().environment.update({ where: { id: environmentId }, data, select: environmentSelect });
  return toEnvironmentDto(row);
}
