import path from "node:path";
import { db } from "@/lib/db";
import { visibleTo } from "@/lib/tasks/task-visibility";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createLocalArtifactStore, type ArtifactStore } from "./artifact-store";

let store: ArtifactStore | undefined;
export function artifactStore(): ArtifactStore {
  store ??= createLocalArtifactStore(path.resolve(sharedEnv().PATCHBAY_DATA_DIR, "artifacts"));
  return store;
}

export const ARTIFACT_REMOVED_MESSAGE = "Removed to keep stored screenshots within this installation's storage budget (PATCHBAY_ARTIFACT_BUDGET_GB).";

export function artifactUrl(artifactId: string): string {
  return `/api/v1/artifacts/${artifactId}`;
}

/** The artifact's bytes, for whoever may see its task (anyone else gets not_found, as for tasks). */
export async function readArtifact(userId: string, artifactId: string): Promise<{ contentType: string; bytes: Buffer }> {
  const row = await db().artifact.findFirst({
    where: { id: artifactId, attempt: { turn: { task: visibleTo(userId) } } },
    select: { storageKey: true, contentType: true, prunedAt: true },
  });
  if (!row) throw new AppError("not_found", "Artifact not found.");
  if (row.prunedAt) throw new AppError("gone", ARTIFACT_REMOVED_MESSAGE);
  return { contentType: row.contentType, bytes: await artifactStore().get(row.storageKey) };
}

/** An artifact's bytes for a signed link (lib/artifacts/signed-links.ts): the link was checked, not the reader. */
export async function readSharedArtifact(artifactId: string): Promise<{ contentType: string; bytes: Buffer }> {
  const row = await db().artifact.findUnique({ where: { id: artifactId }, select: { storageKey: true, contentType: true, prunedAt: true } });
  if (!row) throw new AppError("not_found", "Artifact not found.");
  if (row.prunedAt) throw new AppError("gone", ARTIFACT_REMOVED_MESSAGE);
  return { contentType: row.contentType, bytes: await artifactStore().get(row.storageKey) };
}

/** Stores bytes and records them for an attempt. Used by the worker. */
export async function saveArtifact(
  attemptId: string,
  input: { kind: string; contentType: string; extension: string; bytes: Buffer; metadata: Record<string, unknown> },
): Promise<{ id: string }> {
  const storageKey = await artifactStore().put(attemptId, input.extension, input.bytes);
  return db().artifact.create({
    data: {
      attemptId,
      kind: input.kind,
      storageKey,
      contentType: input.contentType,
      size: input.bytes.length,
      metadata: JSON.parse(JSON.stringify(input.metadata)),
    },
    select: { id: true },
  });
}
