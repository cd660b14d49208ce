// Which environments a person can use copy mode in. Copywriters do not own environments: an environment
// is shared with them by listing paths for the copywriter role. Engineers and admins use their own.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { roleOf } from "@/lib/auth/require-role";
import { allowedPathsFor, parseStoredCopyPaths, type CopyPaths } from "./path-scope";

export type CopyEnvironment = {
  id: string;
  name: string;
  ownerId: string;
  defaultBranch: string;
  copyPaths: CopyPaths;
  /** The globs this person may change; null = unrestricted. */
  allowedPaths: string[] | null;
  hasPreview: boolean;
};

const select = { id: true, name: true, ownerId: true, defaultBranch: true, copyPaths: true, preview: true } as const;

export async function listCopyEnvironments(userId: string): Promise<{ role: string; environments: CopyEnvironment[] }> {
  const role = await roleOf(userId);
  const rows =
    role === "copywriter"
      ? // Few environments per install; the JSON test is simpler in code than as a Prisma JSON filter.
        await db().environment.findMany({ orderBy: { name: "asc" }, select })
      : await db().environment.findMany({ where: { ownerId: userId }, orderBy: { name: "asc" }, select });
  const environments = rows
    .map((row) => toCopyEnvironment(row, role))
    .filter((environment) => environment.allowedPaths === null || environment.allowedPaths.length > 0);
  return { role, environments };
}

export async function getCopyEnvironment(userId: string, environmentId: string): Promise<CopyEnvironment & { role: string }> {
  const { role, environments } = await listCopyEnvironments(userId);
  const environment = environments.find((candidate) => candidate.id === environmentId);
  if (!environment) throw new AppError("not_found", "Environment not found, or copy mode is not set up for your role there.");
  return { ...environment, role };
}

function toCopyEnvironment(
  row: { id: string; name: string; ownerId: string; defaultBranch: string; copyPaths: unknown; preview: unknown },
  role: string,
): CopyEnvironment {
  const copyPaths = parseStoredCopyPaths(row.copyPaths);
  return {
    id: row.id,
    name: row.name,
    ownerId: row.ownerId,
    defaultBranch: row.defaultBranch,
    copyPaths,
    allowedPaths: allowedPathsFor(copyPaths, role),
    hasPreview: row.preview !== null,
  };
}
