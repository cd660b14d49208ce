import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { demoReposRoot } from "@/lib/demo/demo-environment";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { checkRepoUrl } from "@/lib/repos/check-repo-url";
import { credentialMismatch } from "@/lib/repos/repo-credential";
import type { Prisma } from "@/lib/db";
import { checkForgeConnection } from "@/lib/forge/check-forge-connection";
import { forgeColumn, repoCredentialColumn, setupColumns } from "./environment-data";
import { environmentSelect, toEnvironmentDto } from "./environment-queries";
import { createEnvironmentSchema, type EnvironmentDto } from "./environment.schemas";
import { assertModelAllowed } from "@/lib/tasks/user-limits";

export async function createEnvironment(userId: string, input: unknown): Promise<EnvironmentDto> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can add environments.");
  const data = createEnvironmentSchema.parse(input);
  const policy = { allowLocal: sharedEnv().PATCHBAY_ALLOW_LOCAL_REPOS, localRoots: [demoReposRoot()] };
  const target = await checkRepoUrl(data.repoUrl, policy);
  const { name, repoUrl, defaultBranch, instructions, model, modelApi, checkCommand, workerLabels, preview, copyPaths, repoCredential, forge, ...setup } = data;
  if (forge) await checkForgeConnection(forge, repoUrl, policy);
  assertModelAllowed(model);
  const mismatch = repoCredential ? credentialMismatch(target.kind, repoCredential.kind) : null;
  if (mismatch) throw new AppError("bad_request", mismatch);
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
      ...(workerLabels ? { workerLabels } : {}),
      ...(preview ? { preview } : {}),
      ...(copyPaths ? { copyPaths } : {}),
      ...(repoCredential ? { repoCredential: repoCredentialColumn(repoCredential) } : {}),
      ...(forge ? { forge: forgeColumn(forge) } : {}),
    },
    select: environmentSelect,
  });
  return toEnvironmentDto(row);
}
