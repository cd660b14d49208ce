// Artifact pruning against the real database and artifact store: past the budget the oldest
// artifacts of finished attempts lose their bytes and say so (API 410, task DTO "removed"); artifacts of
// running attempts and young ones stay; bytes no row refers to go once they are old.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { bytesOf } from "@/test/support/artifact-bytes";
import { createAttemptRow } from "@/test/support/rows";
import { artifactStore, readArtifact, saveArtifact } from "./artifact-queries";
import { newArtifactKey } from "./artifact-store";
import type { PreviewReport } from "./preview-report";
import { toScreenshotsDto } from "./screenshots-dto";
import { pruneArtifacts } from "./prune-artifacts";

const DAY = 24 * 3600_000;
const LONG_AGO = new Date("2001-01-01T00:00:00Z");
const stored = async (key: string) => (await db().artifactBlob.count({ where: { key } })) === 1;

async function artifact(attemptId: string, createdAt?: Date) {
  const { id } = await saveArtifact(attemptId, { kind: "screenshot", contentType: "image/png", extension: "png", bytes: Buffer.alloc(2048, 1), metadata: {} });
  if (createdAt) await db().artifact.update({ where: { id }, data: { createdAt } });
  return db().artifact.findUniqueOrThrow({ where: { id }, select: { id: true, storageKey: true, prunedAt: true } });
}

describe("pruneArtifacts", () => {
  it("keeps everything within the budget, then removes old artifacts of finished attempts only, and says so", async () => {
    const finished = await createAttemptRow("completed");
    const running = await createAttemptRow("running");
    const old = await artifact(finished.attemptId, LONG_AGO);
    const young = await artifact(finished.attemptId);
    const oldButRunning = await artifact(running.attemptId, LONG_AGO);

    // Other test files store artifacts in the same database: an unbounded budget must touch none of them.
    await pruneArtifacts({ budgetBytes: Number.MAX_SAFE_INTEGER, minAgeMs: DAY, orphanAgeMs: DAY });
    expect((await db().artifact.findUniqueOrThrow({ where: { id: old.id } })).prunedAt).toBeNull();

    // No budget at all: everything old enough goes; young artifacts and running attempts' stay.
    await pruneArtifacts({ budgetBytes: 0, minAgeMs: DAY, orphanAgeMs: DAY });
    const rows = await db().artifact.findMany({ where: { id: { in: [old.id, young.id, oldButRunning.id] } }, select: { id: true, prunedAt: true } });
    const pruned = new Map(rows.map((row) => [row.id, row.prunedAt !== null]));
    expect(Object.fromEntries(pruned)).toEqual({ [old.id]: true, [young.id]: false, [oldButRunning.id]: false });
    expect(await stored(old.storageKey)).toBe(false);
    expect(await stored(young.storageKey)).toBe(true);

    const user = await db().task.findUniqueOrThrow({ where: { id: finished.taskId }, select: { ownerId: true } });
    await expect(readArtifact(user.ownerId, old.id)).rejects.toMatchObject({ code: "gone" });
    expect((await bytesOf(readArtifact(user.ownerId, young.id))).length).toBe(2048);

    const report: PreviewReport = {
      routes: ["/"],
      shots: [
        {
          route: "/",
          viewport: { name: "desktop", width: 1280, height: 800 },
          before: { ok: true, artifactId: old.id, status: 200 },
          after: { ok: true, artifactId: young.id, status: 200 },
          diff: { artifactId: old.id, changedPixels: 10, changedRatio: 0.01, sizeChanged: false },
        },
      ],
      failures: [],
      blockedRequests: [],
      durationMs: 1,
    };
    const dto = toScreenshotsDto(report, new Set([old.id]));
    expect(dto?.shots[0]?.before).toMatchObject({ error: { reason: "removed" } });
    expect(dto?.shots[0]?.after).toMatchObject({ url: `/api/v1/artifacts/${young.id}` });
    expect(dto?.shots[0]?.diffUrl).toBeNull();
  });

  it("removes bytes no row refers to once they are old, never a fresh write", async () => {
    const { attemptId } = await createAttemptRow("completed");
    const store = artifactStore();
    const stale = newArtifactKey(attemptId, "png");
    const fresh = newArtifactKey(attemptId, "png");
    await store.write(stale, Buffer.from("stale"));
    await store.write(fresh, Buffer.from("fresh"));
    await db().artifactBlob.update({ where: { key: stale }, data: { createdAt: new Date(Date.now() - 2 * DAY) } });

    await pruneArtifacts({ budgetBytes: Number.MAX_SAFE_INTEGER, minAgeMs: DAY, orphanAgeMs: DAY });
    expect(await stored(stale)).toBe(false);
    expect(await stored(fresh)).toBe(true);
    await store.remove(fresh);
  });
});
