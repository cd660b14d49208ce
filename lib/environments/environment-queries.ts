import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { EnvironmentDto } from "./environment.schemas";

const environmentSelect = {
  id: true,
  name: true,
  repoUrl: true,
  defaultBranch: true,
  instructions: true,
  model: true,
  createdAt: true,
} as const;

type EnvironmentRow = { id: string; name: string; repoUrl: string; defaultBranch: string; instructions: string | null; model: string | null; createdAt: Date };

function toDto(row: EnvironmentRow): EnvironmentDto {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

export async function listEnvironments(userId: string): Promise<EnvironmentDto[]> {
  const rows = await db().environment.findMany({ where: { ownerId: userId }, orderBy: { createdAt: "desc" }, select: environmentSelect });
  return rows.map(toDto);
}

export async function getEnvironment(userId: string, environmentId: string): Promise<EnvironmentDto> {
  const row = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: environmentSelect });
  if (!row) throw new AppError("not_found", "Environment not found.");
  return toDto(row);
}
