import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { demoReposRoot } from "@/lib/demo/demo-environment";
import { sharedEnv } from "@/lib/env";
import { classifyRepoUrl } from "@/lib/git-refs";
import type { Prisma } from "@/lib/db";
import { setupColumns } from "./environment-data";
import { environmentSelect, toEnvironmentDto } from "./environment-queries";
import { createEnvironmentSchema, type EnvironmentDto } from "./environment.schemas";

export async function createEnvironment(userId: string, input: unknown): Promise<EnvironmentDto> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can add environments.");
  const data = createEnvironmentSchema.parse(input);
  classifyRepoUrl(data.repoUrl, { allowLocal: sharedEnv().PATCHBAY_ALLOW_LOCAL_REPOS, localRoots: [demoReposRoot()] });
  const { name, repoUrl, defaultBranch, instructions, model, modelApi, checkCommand, preview, copyPaths, ...setup } = data;
  const row = await db().environment.create({
    data: {
      ...(setupColumns(setup) as Prisma.EnvironmentCreateWithoutOwnerInput),
      ownerId: userId,
      name,
      repoUrl,
      defaultBranch,
      instructions: instructions?.trim() || null,
      model: model || null,
      modelApi,
      checkCommand: checkCommand || null,
      ...(preview ? { preview } : {}),
      ...(copyPaths ? { copyPaths } : {}),
    },
    select: environmentSelect,
  });
  return toEnvironmentDto(row);
}
