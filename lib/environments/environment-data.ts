// Turns validated setup fields into the columns they are stored in: scripts trimmed to null when empty,
// plain variables as JSON, secrets sealed with PATCHBAY_SECRETS_KEY (merged per name: null removes one),
// and the repository credential sealed the same way (null removes it).
import { type ForgeConnection, sealForgeConnection } from "@/lib/forge/forge-connection";
import { sharedEnv } from "@/lib/env";
import { DbNull, type Prisma } from "@/lib/db";
import { sealRepoCredential, type RepoCredential } from "@/lib/repos/repo-credential";
import { parseStoredSecrets, sealSecret, secretsKey, type SealedSecrets } from "@/lib/secrets/secret-box";
import { scriptOrNull, type setupFieldsSchema } from "./setup-config";
import type { z } from "zod";

type SetupFields = z.infer<typeof setupFieldsSchema>;

export function setupColumns(fields: SetupFields, storedSecrets: unknown = null): Prisma.EnvironmentUpdateInput {
  const data: Prisma.EnvironmentUpdateInput = {};
  if (fields.nodeVersion !== undefined) data.nodeVersion = fields.nodeVersion;
  if (fields.setupScript !== undefined) data.setupScript = scriptOrNull(fields.setupScript);
  if (fields.maintenanceScript !== undefined) data.maintenanceScript = scriptOrNull(fields.maintenanceScript);
  if (fields.env !== undefined) data.envVars = fields.env;
  if (fields.network !== undefined) data.network = fields.network;
  if (fields.cacheKeyFiles !== undefined) data.cacheKeyFiles = fields.cacheKeyFiles;
  if (fields.secrets !== undefined) data.secrets = mergeSecrets(storedSecrets, fields.secrets);
  return data;
}

function mergeSecrets(stored: unknown, changes: Record<string, string | null>): SealedSecrets {
  const merged = { ...parseStoredSecrets(stored) };
  const setting = Object.entries(changes).filter((entry): entry is [string, string] => entry[1] !== null);
  const key = setting.length > 0 ? secretsKey(sharedEnv().PATCHBAY_SECRETS_KEY) : null;
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete merged[name];
    else if (key) merged[name] = sealSecret(key, name, value);
  }
  return merged;
}

export function repoCredentialColumn(credential: RepoCredential | null): Prisma.InputJsonValue | typeof DbNull {
  return credential ? sealRepoCredential(sharedEnv().PATCHBAY_SECRETS_KEY, credential) : DbNull;
}

export function forgeColumn(connection: ForgeConnection | null): Prisma.InputJsonValue | typeof DbNull {
  return connection ? sealForgeConnection(sharedEnv().PATCHBAY_SECRETS_KEY, connection) : DbNull;
}
