import { db } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { classifyRepoUrl } from "@/lib/git-refs";
import { environmentSelect, toEnvironmentDto } from "./environment-queries";
import { createEnvironmentSchema, type EnvironmentDto } from "./environment.schemas";

export async function createEnvironment(userId: string, input: unknown): Promise<EnvironmentDto> {
  const data = createEnvironmentSchema.parse(input);
  classifyRepoUrl(data.repoUrl, { allowLocal: sharedEnv().PATCHBAY_ALLOW_LOCAL_REPOS });
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
    },
    select: environmentSelect,
  });
  return toEnvironmentDto(row);
}
