// The worker's reads and writes of copy catalogs: one row per environment and commit.
import { db } from "@/lib/db";
import type { CatalogEntry } from "./catalog-entry";
import type { PageMap } from "./page-map";

export async function catalogSource(environmentId: string): Promise<{ repoUrl: string; defaultBranch: string; repoCredential: unknown } | null> {
  return db().environment.findUnique({ where: { id: environmentId }, select: { repoUrl: true, defaultBranch: true, repoCredential: true } });
}

/** The stored catalog of a commit, marked as checked now; null when none was built or by another extractor version. */
export async function reuseCatalog(environmentId: string, commit: string, version: number): Promise<{ entries: number } | null> {
  const existing = await db().copyCatalog.findUnique({
    where: { environmentId_commit: { environmentId, commit } },
    select: { id: true, entries: true, version: true },
  });
  if (existing?.version !== version) return null;
  await db().copyCatalog.update({ where: { id: existing.id }, data: { checkedAt: new Date() } });
  return { entries: Array.isArray(existing.entries) ? existing.entries.length : 0 };
}

export async function saveCatalog(input: { environmentId: string; commit: string; branch: string; version: number; entries: CatalogEntry[] }): Promise<void> {
  const { environmentId, commit, branch, version, entries } = input;
  await db().copyCatalog.upsert({
    where: { environmentId_commit: { environmentId, commit } },
    create: { environmentId, commit, branch, entries, version },
    update: { entries, version, checkedAt: new Date() },
  });
}

/** The entries of a commit's catalog (built by buildCopyCatalog in worker/copy/catalog-processor.ts first). */
export async function catalogEntriesAt(environmentId: string, commit: string): Promise<CatalogEntry[]> {
  const row = await db().copyCatalog.findUnique({ where: { environmentId_commit: { environmentId, commit } }, select: { entries: true } });
  return Array.isArray(row?.entries) ? (row.entries as CatalogEntry[]) : [];
}

/** Pictures of the pages at a commit, kept with that commit's catalog. */
export async function savePageMap(environmentId: string, map: PageMap): Promise<void> {
  await db().copyCatalog.update({ where: { environmentId_commit: { environmentId, commit: map.commit } }, data: { pageMap: map } });
}
