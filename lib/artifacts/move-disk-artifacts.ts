// Before artifacts lived in PostgreSQL, the worker wrote them under PATCHBAY_DATA_DIR/artifacts and the
// web app read them from that disk. `patchbay setup` (run by npm start and by the compose `migrate`
// service, after the migrations) moves such files into the artifact store under the key their Artifact
// row already names, then deletes them. Files no live row names (pruned, or a crash before the row was
// written) are deleted without being moved. A run that stops half-way is simply run again: a file is
// deleted only once its bytes are stored.
import { createReadStream } from "node:fs";
import { readdir, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db";
import { artifactStore } from "./artifact-queries";
import { isArtifactKey } from "./artifact-store";

export async function moveDiskArtifactsIntoDatabase(dataDir: string): Promise<{ moved: number; dropped: number }> {
  const root = path.resolve(dataDir, "artifacts");
  const dirs = await readdir(root).catch(() => [] as string[]);
  let moved = 0;
  let dropped = 0;
  for (const dir of dirs) {
    const names = await readdir(path.join(root, dir)).catch(() => [] as string[]);
    const keys = names.map((name) => `${dir}/${name}`).filter(isArtifactKey);
    const live = await db().artifact.findMany({ where: { storageKey: { in: keys }, prunedAt: null }, select: { storageKey: true } });
    const named = new Set(live.map((row) => row.storageKey));
    for (const key of keys) {
      const file = path.join(root, key);
      if (named.has(key)) {
        // What an interrupted earlier run stored of it is replaced, never mixed in.
        await artifactStore().remove(key);
        await artifactStore().write(key, createReadStream(file));
        moved += 1;
      } else {
        dropped += 1;
      }
      await rm(file, { force: true });
    }
    await rmdir(path.join(root, dir)).catch(() => undefined);
  }
  await rmdir(root).catch(() => undefined);
  return { moved, dropped };
}
