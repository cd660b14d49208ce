import { parseStoredCopyPaths } from "@/lib/copy/path-scope";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { EnvironmentDto } from "./environment.schemas";
import { previewConfigSchema, type PreviewConfig } from "./preview-config";

export const environmentSelect = {
  id: true,
  name: true,
  repoUrl: true,
  defaultBranch: true,
  instructions: true,
  model: true,
  modelApi: true,
  checkCommand: true,
  preview: true,
  copyPaths: true,
  createdAt: true,
} as const;

/** A row as selected by environmentSelect: the DTO's fields before JSON and dates are converted. */
export type EnvironmentRow = Omit<EnvironmentDto, "preview" | "copyPaths" | "createdAt"> & { preview: unknown; copyPaths: unknown; createdAt: Date };

export function toEnvironmentDto(row: EnvironmentRow): EnvironmentDto {
  return { ...row, preview: parseStoredPreview(row.preview), copyPaths: parseStoredCopyPaths(row.copyPaths), createdAt: row.createdAt.toISOString() };
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
