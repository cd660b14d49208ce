import { db } from "@/lib/db";
import { visibleTo } from "@/lib/tasks/task-visibility";
import { AppError } from "@/lib/errors";
import { ArtifactBytesMissing, createDatabaseArtifactStore, newArtifactKey, type ArtifactStore } from "./artifact-store";

let store: ArtifactStore | undefined;
export function artifactStore(): ArtifactStore {
  store ??= createDatabaseArtifactStore();
  return store;
}

export const ARTIFACT_REMOVED_MESSAGE = "Removed to keep stored screenshots within this installation's storage budget (PATCHBAY_ARTIFACT_BUDGET_GB).";

export function artifactUrl(artifactId: string): string {
  return `/api/v1/artifacts/${artifactId}`;
}

export type StoredArtifact = { contentType: string; size: number; body: ReadableStream<Uint8Array> };

const ARTIFACT_SELECT = { storageKey: true, contentType: true, size: true, prunedAt: true } as const;

/** The artifact's bytes as a stream, for whoever may see its task (anyone else gets not_found, as for tasks). */
export async function readArtifact(userId: string, artifactId: string): Promise<StoredArtifact> {
  const row = await db().artifact.findFirst({ where: { id: artifactId, attempt: { turn: { task: visibleTo(userId) } } }, select: ARTIFACT_SELECT });
  return openArtifact(row);
}

/** An artifact's bytes for a signed link (lib/artifacts/signed-links.ts): the link was checked, not the reader. */
export async function readSharedArtifact(artifactId: string): Promise<StoredArtifact> {
  return openArtifact(await db().artifact.findUnique({ where: { id: artifactId }, select: ARTIFACT_SELECT }));
}

async function openArtifact(row: { storageKey: string; contentType: string; size: number; prunedAt: Date | null } | null): Promise<StoredArtifact> {
  if (!row) throw new AppError("not_found", "Artifact not found.");
  if (row.prunedAt) throw new AppError("gone", ARTIFACT_REMOVED_MESSAGE);
  const pieces = artifactStore().read(row.storageKey)[Symbol.asyncIterator]();
  // The first piece is read before answering, so missing bytes are a clear error rather than a broken image.
  const first = await pieces.next().catch((error: unknown) => {
    if (!(error instanceof ArtifactBytesMissing)) throw error;
    throw new AppError(
      "gone",
      "This picture's bytes are not in the artifact store. If it was taken before an upgrade, run `npm run patchbay -- setup` on the machine whose PATCHBAY_DATA_DIR holds the old screenshots.",
    );
  });
  let started = false;
  // Pulled one piece at a time as the reader consumes them; a reader that goes away stops the reads.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = started ? await pieces.next() : first;
      started = true;
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await pieces.return?.();
    },
  });
  return { contentType: row.contentType, size: row.size, body };
}

/** Stores bytes (a buffer, or pieces as they come) and records them for an attempt. Used by the worker. */
export async function saveArtifact(
  attemptId: string,
  input: { kind: string; contentType: string; extension: string; bytes: Uint8Array | AsyncIterable<Uint8Array>; metadata: Record<string, unknown> },
): Promise<{ id: string }> {
  const storageKey = newArtifactKey(attemptId, input.extension);
  const size = await artifactStore().write(storageKey, input.bytes);
  return db().artifact.create({
    data: {
      attemptId,
      kind: input.kind,
      storageKey,
      contentType: input.contentType,
      size,
      metadata: JSON.parse(JSON.stringify(input.metadata)),
    },
    select: { id: true },
  });
}
