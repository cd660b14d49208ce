// The demo environment an empty install offers: Paperkite as a local repository under the data dir,
// with previews, its check, and copy mode open to copywriters for its locale file and page/component
// sources (its Markdown content stays out of scope on purpose, so the demo also shows a rejected
// out-of-scope change). No model needed.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { sharedEnv } from "@/lib/env";
import { previewConfigSchema } from "@/lib/environments/preview-config";
import { PAPERKITE_CHECK_COMMAND, PAPERKITE_PREVIEW, writePaperkiteRepo } from "./paperkite-repo";

export const DEMO_ENVIRONMENT_NAME = "Paperkite demo";
export const DEMO_COPY_PATHS = { copywriter: ["locales/**", "src/pages/**", "src/components/**"] };

/** Where Patchbay keeps repositories it created; file:// URLs under it are always allowed. */
export function demoReposRoot(): string {
  return path.resolve(sharedEnv().PATCHBAY_DATA_DIR, "demo");
}

/** Creates the demo repository once; later calls reuse it (its history is the demo's, edits come as tasks). */
export function ensureDemoRepo(): string {
  const dir = path.join(demoReposRoot(), "paperkite");
  if (existsSync(path.join(dir, ".git"))) return dir;
  mkdirSync(demoReposRoot(), { recursive: true });
  // Built under a temporary name and renamed, so a crash never leaves half a repository behind.
  const partial = `${dir}.partial-${process.pid}-${Date.now()}`;
  try {
    writePaperkiteRepo(partial);
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}

/** The caller's demo environment, created (with the repository) when they do not have one yet. */
export async function createDemoEnvironment(userId: string): Promise<{ id: string; created: boolean }> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can add environments; ask one to add the demo.");
  const existing = await db().environment.findFirst({ where: { ownerId: userId, name: DEMO_ENVIRONMENT_NAME }, select: { id: true } });
  if (existing) return { id: existing.id, created: false };
  let dir: string;
  try {
    dir = ensureDemoRepo();
  } catch (error) {
    throw new AppError(
      "internal",
      `The demo repository could not be written under ${demoReposRoot()} (${(error as Error).message}). The web process needs a writable PATCHBAY_DATA_DIR.`,
      { cause: error },
    );
  }
  const environment = await db().environment.create({
    data: {
      ownerId: userId,
      name: DEMO_ENVIRONMENT_NAME,
      repoUrl: `file://${dir}`,
      defaultBranch: "main",
      checkCommand: PAPERKITE_CHECK_COMMAND,
      copyPaths: DEMO_COPY_PATHS,
      preview: previewConfigSchema.parse({
        installCommand: PAPERKITE_PREVIEW.installCommand,
        startCommand: PAPERKITE_PREVIEW.startCommand,
        port: PAPERKITE_PREVIEW.port,
        readinessPath: PAPERKITE_PREVIEW.readinessPath,
        servesEditsLive: PAPERKITE_PREVIEW.servesEditsLive,
        routes: { mode: "detect", fallback: [...PAPERKITE_PREVIEW.routes] },
        viewports: [{ name: "desktop", width: 1280, height: 800 }],
        startTimeoutSec: 60,
      }),
    },
    select: { id: true },
  });
  return { id: environment.id, created: true };
}
