import { parseStoredCopyPaths } from "@/lib/copy/path-scope";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { EnvironmentDto } from "./environment.schemas";
import { forgeSummary } from "@/lib/forge/forge-connection";
import { linearView } from "@/lib/triggers/linear-settings";
import { slackSettings } from "@/lib/triggers/slack-settings";
import { isWebhookForge, webhookView } from "@/lib/triggers/webhook-settings";
import { repoCredentialSummary } from "@/lib/repos/repo-credential";
import { parseStoredSecrets } from "@/lib/secrets/secret-box";
import { previewConfigSchema, type PreviewConfig } from "./preview-config";
import { parseNodeVersion, parseStoredCacheKeyFiles, parseStoredEnvVars, parseStoredNetwork } from "./setup-config";

export const environmentSelect = {
  id: true,
  name: true,
  repoUrl: true,
  defaultBranch: true,
  instructions: true,
  model: true,
  modelApi: true,
  checkCommand: true,
  workerLabels: true,
  preview: true,
  copyPaths: true,
  nodeVersion: true,
  setupScript: true,
  maintenanceScript: true,
  envVars: true,
  secrets: true,
  repoCredential: true,
  forge: true,
  network: true,
  cacheKeyFiles: true,
  webhook: true,
  slack: true,
  linear: true,
  createdAt: true,
} as const;

/** A row as selected by environmentSelect: the DTO's fields before JSON and dates are converted. */
export type EnvironmentRow = Omit<
  EnvironmentDto,
  | "preview"
  | "copyPaths"
  | "createdAt"
  | "nodeVersion"
  | "env"
  | "secrets"
  | "repoCredential"
  | "forge"
  | "network"
  | "cacheKeyFiles"
  | "webhook"
  | "slack"
  | "linear"
> & {
  preview: unknown;
  copyPaths: unknown;
  nodeVersion: string;
  envVars: unknown;
  secrets: unknown;
  repoCredential: unknown;
  forge: unknown;
  network: unknown;
  cacheKeyFiles: unknown;
  webhook: unknown;
  slack: unknown;
  linear: unknown;
  createdAt: Date;
};

export function toEnvironmentDto(row: EnvironmentRow): EnvironmentDto {
  const { envVars, secrets, repoCredential, forge, webhook, slack, linear, ...rest } = row;
  const forgeKind = forgeSummary(forge)?.kind;
  return {
    ...rest,
    preview: parseStoredPreview(row.preview),
    copyPaths: parseStoredCopyPaths(row.copyPaths),
    nodeVersion: parseNodeVersion(row.nodeVersion),
    env: parseStoredEnvVars(envVars),
    // The sealed values never leave this function: only their names.
    secrets: Object.keys(parseStoredSecrets(secrets)).sort(),
    repoCredential: repoCredentialSummary(repoCredential),
    forge: forgeSummary(forge),
    network: parseStoredNetwork(row.network),
    cacheKeyFiles: parseStoredCacheKeyFiles(row.cacheKeyFiles),
    // The address of the receiver of the forge the environment is connected to (GitHub's when none is).
    webhook: webhookView(rest.id, webhook, isWebhookForge(forgeKind) ? forgeKind : "github"),
    slack: slackSettings(slack),
    linear: linearView(rest.id, linear),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Stored JSON was validated on write; a row from an older schema that no longer parses means "none". */
export function parseStoredPreview(value: unknown): PreviewConfig | null {
  const parsed = previewConfigSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export async function listEnvironments(userId: string): Promise<EnvironmentDto[]> {
  const rows = await db().environment.findMany({ where: { ownerId: userId }, orderBy: { createdAt: "desc" }, select: environmentSelect });
  return rows.map(toEnvironmentDto);
}

export async function getEnvironment(userId: string, environmentId: string): Promise<EnvironmentDto> {
  const row = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: environmentSelect });
  if (!row) throw new AppError("not_found", "Environment not found.");
  return toEnvironmentDto(row);
}
