// Changing an environment after creation (PATCH): any field, by its owner (an engineer or admin). Copy
// paths merge per role (the page edits the copywriter list only) and secrets per name (null removes one);
// everything else replaces the stored value, and null clears an optional field. A repository credential
// stays with its host: moving the URL to another host needs the credential again (or null), so a saved,
// write-only token is never sent somewhere its owner did not type it for.
import { requireRole } from "@/lib/auth/require-role";
import { parseStoredCopyPaths } from "@/lib/copy/path-scope";
import { db, DbNull, type Prisma } from "@/lib/db";
import { demoReposRoot } from "@/lib/demo/demo-environment";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { parseRepoUrl, type ParsedRepoUrl } from "@/lib/git-refs";
import { checkRepoUrl } from "@/lib/repos/check-repo-url";
import { credentialMismatch, repoCredentialSummary } from "@/lib/repos/repo-credential";
import { checkForgeConnection } from "@/lib/forge/check-forge-connection";
import { forgeSummary } from "@/lib/forge/forge-connection";
import { forgeColumn, repoCredentialColumn, setupColumns } from "./environment-data";
import { environmentSelect, toEnvironmentDto } from "./environment-queries";
import { updateEnvironmentSchema, type EnvironmentDto } from "./environment.schemas";
import type { z } from "zod";
import { assertModelAllowed } from "@/lib/tasks/user-limits";

type UpdateEnvironmentFields = z.infer<typeof updateEnvironmentSchema>;

export async function updateEnvironment(userId: string, environmentId: string, input: unknown): Promise<EnvironmentDto> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can change an environment.");
  const fields = updateEnvironmentSchema.parse(input);
  const owned = await db().environment.findFirst({
    where: { id: environmentId, ownerId: userId },
    select: { copyPaths: true, secrets: true, repoUrl: true, repoCredential: true, forge: true },
  });
  if (!owned) throw new AppError("not_found", "Environment not found.");
  const { name, repoUrl, defaultBranch, instructions, model, modelApi, checkCommand, workerLabels, preview, copyPaths, repoCredential, forge, ...setup } =
    fields;
  const policy = { allowLocal: sharedEnv().PATCHBAY_ALLOW_LOCAL_REPOS, localRoots: [demoReposRoot()] };
  if (repoUrl !== undefined) await checkRepoUrl(repoUrl, policy);
  checkCredentialChange({ storedUrl: owned.repoUrl, storedCredential: owned.repoCredential, repoUrl, repoCredential });
  if (forge) await checkForgeConnection(forge, repoUrl ?? owned.repoUrl, policy);
  // Like the repository credential: a forge token is never carried along to another repository host.
  const storedForge = forgeSummary(owned.forge);
  if (forge === undefined && storedForge && repoUrl !== undefined && storedForge.kind !== "git" && hostOf(repoUrl) !== hostOf(owned.repoUrl)) {
    throw new AppError(
      "bad_request",
      "This environment's forge connection holds a token for another repository host. Moving the repository to a new host needs the connection again: send forge with the new URL (or null to remove it).",
    );
  }

  const data: Prisma.EnvironmentUpdateInput = setupColumns(setup, owned.secrets);
  if (name !== undefined) data.name = name;
  if (repoUrl !== undefined) data.repoUrl = repoUrl;
  if (defaultBranch !== undefined) data.defaultBranch = defaultBranch;
  if (instructions !== undefined) data.instructions = instructions?.trim() || null;
  if (model !== undefined) {
    assertModelAllowed(model);
    data.model = model || null;
  }
  if (modelApi !== undefined) data.modelApi = modelApi;
  if (checkCommand !== undefined) data.checkCommand = checkCommand || null;
  if (workerLabels !== undefined) data.workerLabels = workerLabels;
  if (preview !== undefined) data.preview = preview ?? DbNull;
  if (repoCredential !== undefined) data.repoCredential = repoCredentialColumn(repoCredential);
  if (forge !== undefined) data.forge = forgeColumn(forge);
  if (copyPaths !== undefined) data.copyPaths = { ...parseStoredCopyPaths(owned.copyPaths), ...copyPaths };
  const row = await db().environment.update({ where: { id: environmentId }, data, select: environmentSelect });
  return toEnvironmentDto(row);
}

function checkCredentialChange(change: {
  storedUrl: string;
  storedCredential: unknown;
  repoUrl: string | undefined;
  repoCredential: UpdateEnvironmentFields["repoCredential"];
}): void {
  const stored = repoCredentialSummary(change.storedCredential);
  const credentialKind = change.repoCredential === undefined ? stored?.kind : change.repoCredential?.kind;
  if (!credentialKind || (change.repoUrl === undefined && !change.repoCredential)) return;
  // The stored URL passed the policy when it was saved; only its shape matters here.
  const url = parseRepoUrl(change.repoUrl ?? change.storedUrl, { allowLocal: true });
  const mismatch = credentialMismatch(url.kind, credentialKind);
  if (mismatch) throw new AppError("bad_request", mismatch);
  if (change.repoCredential === undefined && change.repoUrl !== undefined && origin(url) !== origin(parseRepoUrl(change.storedUrl, { allowLocal: true }))) {
    throw new AppError(
      "bad_request",
      "This environment has a repository credential for another host. Moving the repository to a new host needs the credential again: send repoCredential with the new URL (or null to remove it).",
    );
  }
}

function origin(url: ParsedRepoUrl): string {
  return url.kind === "file" ? "file" : `${url.kind}://${url.host}:${url.port}`;
}

function hostOf(url: string): string {
  return origin(parseRepoUrl(url, { allowLocal: true }));
}
