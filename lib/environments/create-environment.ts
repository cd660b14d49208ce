import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { demoReposRoot } from "@/lib/demo/demo-environment";
import { sharedEnv } from "@/lib/env";
import { classifyRepoUrl } from "@/lib/git-refs";
import { environmentSelect, toEnvironmentDto } from "./environment-queries";
import { createEnvironmentSchema, type EnvironmentDto } from "./environment.schemas";

export async function createEnvironment(userId: string, input: unknown): Promise<EnvironmentDto> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can add environments.");
  const data = createEnvironmentSchema.parse(input);
  classifyRepoUrl(data.repoUrl, { allowLocal: sharedEnv().PATCHBAY_ALLOW_LOCAL_REPOS, localRoots: [demoReposRoot()] });
  const row = await db().environment.create({
    data: {
      ownerId: userId,
      name: data.name,
      repoUrl: data.repoUrl,
      defaultBranch: data.defaultBranch,
      instructions: data.instructions?.trim() || null,
      model: data.model || null,
      modelApi: data.modelApi,
      checkCommand: data.checkCommand || null,
      ...(data.preview ? { preview: data.preview } : {}),
      ...(data.copyPaths ? { copyPaths: data.copyPaths } : {}),
    },
    select: environmentSelect,
  });
  return toEnvironmentDto(row);
}
