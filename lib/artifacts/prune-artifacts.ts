// Keeps stored artifacts (screenshots, diff images) within PATCHBAY_ARTIFACT_BUDGET_GB: past it, the
// bytes of the oldest artifacts of finished attempts are removed and their rows marked, so the task
// says "removed" where the picture was instead of showing a broken image. Artifacts younger than
// `minAgeMs` are never removed, so a task's pictures do not vanish while someone is still reviewing it
// (the budget is then exceeded for a while, and the worker's log says so). Bytes no row refers to (a
// crash between writing the file and its row) are removed once they are old enough not to be a write in
// progress. Run by the worker with its other housekeeping.
import { db } from "@/lib/db";
import { FINISHED_ATTEMPT_STATUSES } from "@/lib/tasks/task-status";
import { artifactStore } from "./artifact-queries";

const BATCH = 500;

export async function pruneArtifacts(input: {
  budgetBytes: number;
  minAgeMs: number;
  orphanAgeMs: number;
  now?: Date;
}): Promise<{ pruned: number; orphans: number; storedBytes: number }> {
  const now = input.now ?? new Date();
  const store = artifactStore();
  let pruned = 0;
  const stored = await db().artifact.aggregate({ where: { prunedAt: null }, _sum: { size: true } });
  let total = stored._sum.size ?? 0;
  while (total > input.budgetBytes) {
    const oldest = await db().artifact.findMany({
      where: {
        prunedAt: null,
        createdAt: { lt: new Date(now.getTime() - input.minAgeMs) },
        attempt: { status: { in: [...FINISHED_ATTEMPT_STATUSES] } },
      },
      orderBy: { createdAt: "asc" },
      take: BATCH,
      select: { id: true, storageKey: true, size: true },
    });
    if (oldest.length === 0) break;
    for (const artifact of oldest) {
      if (total <= input.budgetBytes) break;
      await store.remove(artifact.storageKey);
      await db().artifact.update({ where: { id: artifact.id }, data: { prunedAt: now } });
      total -= artifact.size;
      pruned += 1;
    }
  }

  let orphans = 0;
  const files = (await store.list()).filter((file) => now.getTime() - file.writtenAt.getTime() > input.orphanAgeMs);
  for (let start = 0; start < files.length; start += BATCH) {
    const batch = files.slice(start, start + BATCH);
    const known = await db().artifact.findMany({
      where: { storageKey: { in: batch.map((file) => file.key) }, prunedAt: null },
      select: { storageKey: true },
    });
    const live = new Set(known.map((row) => row.storageKey));
    for (const file of batch) {
      if (live.has(file.key)) continue;
      await store.remove(file.key);
      orphans += 1;
    }
  }
  return { pruned, orphans, storedBytes: total };
}
