// The index of saved setup results (SetupCache rows). The worker looks a key up, records a new result
// and evicts old ones; the environment's owner can reset them all. The bytes are Docker volumes on the
// worker host named in each row; a worker removes volumes that no longer have a row.
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/require-role";
import { AppError } from "@/lib/errors";

export type SetupCacheRow = { id: string; key: string; parts: unknown; volumes: unknown; sizeBytes: bigint; createdAt: Date; lastUsedAt: Date };

const rowSelect = { id: true, key: true, parts: true, volumes: true, sizeBytes: true, createdAt: true, lastUsedAt: true } as const;

export async function findSetupCache(environmentId: string, host: string, key: string): Promise<SetupCacheRow | null> {
  return db().setupCache.findUnique({ where: { environmentId_host_key: { environmentId, host, key } }, select: rowSelect });
}

/**
 * Another host that holds this very cache (setup caches are volumes on one Docker host, so each worker
 * host makes its own): a miss on this host is then not a change, and the timeline says so.
 */
export async function hostWithSetupCache(environmentId: string, host: string, key: string): Promise<string | null> {
  const row = await db().setupCache.findFirst({ where: { environmentId, key, host: { not: host } }, orderBy: { lastUsedAt: "desc" }, select: { host: true } });
  return row?.host ?? null;
}

/** The environment's most recently used cache on this host, to explain a miss. */
export async function newestSetupCache(environmentId: string, host: string): Promise<SetupCacheRow | null> {
  return db().setupCache.findFirst({ where: { environmentId, host }, orderBy: { lastUsedAt: "desc" }, select: rowSelect });
}

export async function touchSetupCache(id: string): Promise<void> {
  await db().setupCache.update({ where: { id }, data: { lastUsedAt: new Date() } });
}

export async function saveSetupCache(input: {
  environmentId: string;
  host: string;
  key: string;
  parts: object;
  volumes: object;
  sizeBytes: number;
}): Promise<void> {
  const { environmentId, host, key, parts, volumes, sizeBytes } = input;
  const now = new Date();
  await db().setupCache.upsert({
    where: { environmentId_host_key: { environmentId, host, key } },
    create: { environmentId, host, key, parts, volumes, sizeBytes: BigInt(sizeBytes) },
    update: { parts, volumes, sizeBytes: BigInt(sizeBytes), createdAt: now, lastUsedAt: now },
  });
}

export async function deleteSetupCache(id: string): Promise<void> {
  await db().setupCache.deleteMany({ where: { id } });
}

/**
 * Rows on this host to evict: unused for longer than `maxAgeMs`, then least recently used until the
 * rest fits in `budgetBytes`. The caller removes the volumes, then the rows.
 */
export async function setupCachesToEvict(host: string, maxAgeMs: number, budgetBytes: number): Promise<SetupCacheRow[]> {
  const rows = await db().setupCache.findMany({ where: { host }, orderBy: { lastUsedAt: "desc" }, select: rowSelect });
  const cutoff = Date.now() - maxAgeMs;
  const evict: SetupCacheRow[] = [];
  let kept = 0n;
  for (const row of rows) {
    if (row.lastUsedAt.getTime() < cutoff || kept + row.sizeBytes > BigInt(budgetBytes)) evict.push(row);
    else kept += row.sizeBytes;
  }
  return evict;
}

/** Every cache key with a row on this host: volumes of any other key are leftovers to remove. */
export async function setupCacheVolumeNames(host: string): Promise<Set<string>> {
  const rows = await db().setupCache.findMany({ where: { host }, select: { volumes: true } });
  return new Set(rows.flatMap((row) => Object.values((row.volumes ?? {}) as Record<string, string>)));
}

/** "Reset cache": forget every saved setup of the environment; workers remove the volumes. */
export async function resetSetupCache(userId: string, environmentId: string): Promise<{ removed: number }> {
  await requireRole(userId, ["admin", "engineer"], "Only engineers and admins can change an environment.");
  const owned = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { id: true } });
  if (!owned) throw new AppError("not_found", "Environment not found.");
  const result = await db().setupCache.deleteMany({ where: { environmentId } });
  return { removed: result.count };
}

/** What the environment page shows about its caches. */
export async function setupCacheSummary(environmentId: string): Promise<{ entries: number; sizeBytes: number; lastUsedAt: string | null }> {
  const rows = await db().setupCache.findMany({ where: { environmentId }, select: { sizeBytes: true, lastUsedAt: true } });
  const last = rows.reduce<Date | null>((latest, row) => (!latest || row.lastUsedAt > latest ? row.lastUsedAt : latest), null);
  return { entries: rows.length, sizeBytes: Number(rows.reduce((sum, row) => sum + row.sizeBytes, 0n)), lastUsedAt: last?.toISOString() ?? null };
}
