// The artifact store in the real PostgreSQL: large artifacts are written and read a chunk at a time,
// bytes go with their task, and screenshots an earlier version kept on disk move into the database.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { bytesOf } from "@/test/support/artifact-bytes";
import { createAttemptRow } from "@/test/support/rows";
import { artifactStore, readArtifact, saveArtifact } from "./artifact-queries";
import { CHUNK_BYTES, newArtifactKey } from "./artifact-store";
import { moveDiskArtifactsIntoDatabase } from "./move-disk-artifacts";

const MB = 1024 * 1024;

/** Bytes made a piece at a time (each piece different), so the whole artifact never exists in the test either. */
function pieceAt(index: number, size: number): Buffer {
  return Buffer.alloc(size, index % 251);
}

async function ownerOf(taskId: string): Promise<string> {
  return (await db().task.findUniqueOrThrow({ where: { id: taskId }, select: { ownerId: true } })).ownerId;
}

describe("artifact store", () => {
  it("writes and serves a 10 MB artifact a chunk at a time", async () => {
    const { attemptId, taskId } = await createAttemptRow("completed");
    const pieceSize = 64 * 1024;
    const pieces = (10 * MB) / pieceSize;
    const written = createHash("sha256");
    const chunksStoredWhenHalfWasProduced: number[] = [];
    async function* source() {
      for (let index = 0; index < pieces; index += 1) {
        // Halfway through, the store must already hold chunks: it writes as the pieces come.
        if (index === pieces / 2) chunksStoredWhenHalfWasProduced.push(await db().artifactChunk.count({ where: { key: { startsWith: `${attemptId}/` } } }));
        const piece = pieceAt(index, pieceSize);
        written.update(piece);
        yield piece;
      }
    }
    const { id } = await saveArtifact(attemptId, { kind: "screenshot", contentType: "image/png", extension: "png", bytes: source(), metadata: {} });
    expect(chunksStoredWhenHalfWasProduced[0]).toBeGreaterThanOrEqual((5 * MB) / CHUNK_BYTES - 1);
    const row = await db().artifact.findUniqueOrThrow({ where: { id }, select: { size: true, storageKey: true } });
    expect(row.size).toBe(10 * MB);
    expect(await db().artifactChunk.count({ where: { key: row.storageKey } })).toBe((10 * MB) / CHUNK_BYTES);

    // Served whole and intact...
    const userId = await ownerOf(taskId);
    expect(
      createHash("sha256")
        .update(await bytesOf(readArtifact(userId, id)))
        .digest("hex"),
    ).toBe(written.digest("hex"));

    // ...and read lazily: a chunk changed after the reader started is read as it is now, which it could
    // not be had the reader loaded the artifact whole when it was opened.
    const artifact = await readArtifact(userId, id);
    expect(artifact.size).toBe(10 * MB);
    const reader = artifact.body.getReader();
    const first = await reader.read();
    expect(first.value?.length).toBe(CHUNK_BYTES);
    const marker = Buffer.alloc(CHUNK_BYTES, 7);
    await db().artifactChunk.update({ where: { key_seq: { key: row.storageKey, seq: 30 } }, data: { bytes: new Uint8Array(marker) } });
    const rest: Uint8Array[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      expect(next.value.length).toBeLessThanOrEqual(CHUNK_BYTES);
      rest.push(next.value);
    }
    expect(Buffer.from(rest[29] ?? []).equals(marker)).toBe(true);
  });

  it("deletes a task's artifact bytes with the task, and no one else's", async () => {
    const doomed = await createAttemptRow("completed");
    const kept = await createAttemptRow("completed");
    const save = (attemptId: string) =>
      saveArtifact(attemptId, { kind: "screenshot", contentType: "image/png", extension: "png", bytes: Buffer.alloc(CHUNK_BYTES + 10, 1), metadata: {} });
    await save(doomed.attemptId);
    await save(doomed.attemptId);
    const survivor = await save(kept.attemptId);
    const keysOf = async (attemptId: string) =>
      (await db().artifact.findMany({ where: { attemptId }, select: { storageKey: true } })).map((row) => row.storageKey);
    const doomedKeys = await keysOf(doomed.attemptId);
    expect(await db().artifactChunk.count({ where: { key: { in: doomedKeys } } })).toBe(4);

    await db().task.delete({ where: { id: doomed.taskId } });

    expect(await db().artifactBlob.count({ where: { key: { in: doomedKeys } } })).toBe(0);
    expect(await db().artifactChunk.count({ where: { key: { in: doomedKeys } } })).toBe(0);
    expect((await bytesOf(readArtifact(await ownerOf(kept.taskId), survivor.id))).length).toBe(CHUNK_BYTES + 10);
  });

  it("says so when an artifact's bytes are missing", async () => {
    const { attemptId, taskId } = await createAttemptRow("completed");
    const { id } = await saveArtifact(attemptId, { kind: "screenshot", contentType: "image/png", extension: "png", bytes: Buffer.from("png"), metadata: {} });
    const { storageKey } = await db().artifact.findUniqueOrThrow({ where: { id }, select: { storageKey: true } });
    await artifactStore().remove(storageKey);
    await expect(readArtifact(await ownerOf(taskId), id)).rejects.toMatchObject({ code: "gone", message: expect.stringContaining("patchbay -- setup") });
  });

  it("moves screenshots an earlier version kept on disk into the database, and deletes what no row names", async () => {
    const { attemptId, taskId } = await createAttemptRow("completed");
    const dataDir = mkdtempSync(path.join(tmpdir(), "patchbay-old-artifacts-"));
    const fileOf = (key: string) => path.join(dataDir, "artifacts", key);
    mkdirSync(path.join(dataDir, "artifacts", attemptId), { recursive: true });
    // Rows as the earlier version wrote them: the key names a file; bytes only on disk.
    const live = newArtifactKey(attemptId, "png");
    const pruned = newArtifactKey(attemptId, "png");
    const orphan = newArtifactKey(attemptId, "png");
    const liveBytes = Buffer.alloc(CHUNK_BYTES * 2 + 5, 3);
    for (const key of [live, pruned, orphan]) writeFileSync(fileOf(key), key === live ? liveBytes : Buffer.from("old"));
    const row = (storageKey: string, prunedAt: Date | null) =>
      db().artifact.create({
        data: { attemptId, kind: "screenshot", storageKey, contentType: "image/png", size: 3, metadata: {}, prunedAt },
        select: { id: true },
      });
    const liveRow = await row(live, null);
    await db().artifact.update({ where: { id: liveRow.id }, data: { size: liveBytes.length } });
    await row(pruned, new Date());
    // A stray file that is not an artifact key is left alone.
    writeFileSync(path.join(dataDir, "artifacts", attemptId, "notes.txt"), "mine");

    expect(await moveDiskArtifactsIntoDatabase(dataDir)).toEqual({ moved: 1, dropped: 2 });

    expect((await bytesOf(readArtifact(await ownerOf(taskId), liveRow.id))).equals(liveBytes)).toBe(true);
    for (const key of [live, pruned, orphan]) expect(existsSync(fileOf(key))).toBe(false);
    expect(await db().artifactBlob.count({ where: { key: { in: [pruned, orphan] } } })).toBe(0);
    expect(existsSync(path.join(dataDir, "artifacts", attemptId, "notes.txt"))).toBe(true);
    // Running the upgrade again finds nothing left to move.
    expect(await moveDiskArtifactsIntoDatabase(dataDir)).toEqual({ moved: 0, dropped: 0 });
  });
});
