// "Before" screenshots kept for reuse: the base commit's pictures do not change, so a later attempt on the
// same commit (another copy change to the same page, a retry, best-of-N) takes them from here instead of
// checking the commit out and starting the app again. Used by the worker's screenshot stage.
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { artifactStore } from "./artifact-queries";
import { readWhole } from "./artifact-store";

/** Everything a "before" picture depends on. Anything else that changes makes a different key. */
export type BeforePictureIdentity = {
  environmentId: string;
  commit: string;
  route: string;
  viewport: { name: string; width: number; height: number };
  /** How the app is installed, started and waited for. */
  app: { installCommand?: string | undefined; startCommand: string; port: number; readinessPath: string };
  /**
   * The preview sandbox: its image, plain variables and the setup script that installed its dependencies
   * (each can change what the app renders).
   */
  sandbox: { image: string; env: Record<string, string>; setupScript: string | null };
};

export function beforePictureKey(identity: BeforePictureIdentity): string {
  const { environmentId, commit, route, viewport, app, sandbox } = identity;
  const canonical = JSON.stringify([
    environmentId,
    commit,
    route,
    [viewport.name, viewport.width, viewport.height],
    [app.installCommand ?? null, app.startCommand, app.port, app.readinessPath],
    sandbox.image,
    sandbox.setupScript,
    Object.entries(sandbox.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** The picture and the page's status when it was taken, or null when none is kept (or its bytes are gone). */
export async function findBeforePicture(identity: BeforePictureIdentity): Promise<{ png: Buffer; status: number | null; artifactId: string } | null> {
  const row = await db().beforePicture.findUnique({
    where: { key: beforePictureKey(identity) },
    select: { status: true, commit: true, artifact: { select: { id: true, storageKey: true, prunedAt: true } } },
  });
  // The commit is in the key already; compared again so a hash collision can never cross commits.
  if (!row || row.commit !== identity.commit || row.artifact.prunedAt) return null;
  try {
    return { png: await readWhole(artifactStore(), row.artifact.storageKey), status: row.status, artifactId: row.artifact.id };
  } catch {
    // The bytes went missing (a restored backup, an interrupted upgrade): taken again, then kept again.
    return null;
  }
}

/** Keeps a "before" picture an attempt just took (replacing an older one with the same key). */
export async function keepBeforePicture(identity: BeforePictureIdentity, artifactId: string, status: number | null): Promise<void> {
  const key = beforePictureKey(identity);
  const data = { environmentId: identity.environmentId, commit: identity.commit, artifactId, status };
  await db().beforePicture.upsert({ where: { key }, create: { key, ...data }, update: data });
}
