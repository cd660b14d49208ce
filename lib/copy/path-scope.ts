// Which paths each role may change in copy mode, per environment: { copywriter: ["locales/**", ...] }.
// Enforced by the worker on the actual diff before it is accepted (worker/copy/run-copy-edits.ts), never
// by what the UI offers. Decisions: a copywriter may change nothing in an environment that lists no
// paths for the role (copy mode is off there for them); engineers and admins without a list are
// unrestricted, as in code mode.
import picomatch from "picomatch";
import { z } from "zod";

export const SCOPED_ROLES = ["copywriter", "engineer"] as const;
export type ScopedRole = (typeof SCOPED_ROLES)[number];

const glob = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((value) => !value.startsWith("/") && !value.split("/").includes(".."), "Paths are relative to the repository root, without ..");

export const copyPathsSchema = z.strictObject({
  copywriter: z.array(glob).max(50).optional(),
  engineer: z.array(glob).max(50).optional(),
});
export type CopyPaths = z.infer<typeof copyPathsSchema>;

export function parseStoredCopyPaths(value: unknown): CopyPaths {
  const parsed = copyPathsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

/** The globs a role may change, or null when the role is unrestricted. */
export function allowedPathsFor(copyPaths: CopyPaths, role: string): string[] | null {
  if (role === "copywriter") return copyPaths.copywriter ?? [];
  if (role === "engineer") return copyPaths.engineer?.length ? copyPaths.engineer : null;
  return null;
}

/** Files outside the allowed globs (dotfiles included: `.github/**` must never slip through `**`). */
export function filesOutOfScope(files: readonly string[], allowed: readonly string[] | null): string[] {
  if (allowed === null) return [];
  const isAllowed = picomatch([...allowed], { dot: true });
  return files.filter((file) => !isAllowed(file));
}

/** The one-line message the worker records and the UI shows when a diff is rejected. */
export function scopeRejection(role: string, offending: readonly string[], allowed: readonly string[]): string {
  const where = allowed.length
    ? `Your role (${role}) may change only: ${allowed.join(", ")}.`
    : `Your role (${role}) may not change any files in this environment.`;
  return `The change was rejected because it touches files outside your paths: ${offending.join(", ")}. ${where} Ask an engineer to make this change.`;
}
