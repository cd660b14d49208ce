// Builds an environment's copy catalog at its branch head: fetch the mirror, resolve the branch, and —
// only when that commit has no catalog yet — read the files from the bare mirror and extract the
// strings (parsing only the files that changed since the last build here). A commit never changes, so a
// catalog row per commit is a cache that never goes stale.
import { UnrecoverableError, type Job } from "bullmq";
import { buildCatalog, CATALOG_VERSION, type FileFacts } from "@/lib/copy/catalog";
import { type CatalogFileCache, createCatalogFileCache } from "@/lib/copy/catalog-file-cache";
import { catalogSource, reuseCatalog, saveCatalog } from "@/lib/copy/catalog-store";
import { isAppError } from "@/lib/errors";
import type { Logger } from "@/lib/logger";
import { catalogJobSchema } from "@/lib/queue/contracts";
import { openRepoCredential } from "@/lib/repos/repo-credential";
import type { MirrorCache } from "@/worker/repos/mirror-cache";
import { readCopyFiles } from "./copy-files";

/** `secretsKey` (PATCHBAY_SECRETS_KEY) opens the environment's repository credential for the fetch. */
export type CatalogProcessorDeps = { mirrors: MirrorCache; logger: Logger; secretsKey?: string };

export function createCatalogProcessor(deps: CatalogProcessorDeps) {
  return async function processCatalog(job: Job): Promise<{ commit: string; entries: number; cached: boolean }> {
    const parsed = catalogJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid job payload: ${parsed.error.message}`);
    try {
      const { commit, entries, cached } = await buildCopyCatalog(deps, parsed.data.environmentId);
      return { commit, entries, cached };
    } catch (error) {
      // failedReason is what the Copy page shows: a person-readable message, never a stack.
      if (isAppError(error)) throw new UnrecoverableError(error.userMessage);
      deps.logger.error({ err: error, environmentId: parsed.data.environmentId }, "copy catalog build failed");
      throw new UnrecoverableError("The text catalog could not be built because of an internal error; try again, and check the worker log if it persists.");
    }
  };
}

/** Also returns the synced mirror, for callers that go on to work at that commit. */
export async function buildCopyCatalog(
  deps: CatalogProcessorDeps,
  environmentId: string,
): Promise<{ commit: string; entries: number; cached: boolean; mirrorPath: string }> {
  const environment = await catalogSource(environmentId);
  if (!environment) throw new UnrecoverableError("The environment no longer exists.");
  const mirrorPath = await deps.mirrors.sync(environment.repoUrl, openRepoCredential(environment.repoCredential, deps.secretsKey));
  const commit = await deps.mirrors.resolveBranch(mirrorPath, environment.defaultBranch);
  const reused = await reuseCatalog(environmentId, commit, CATALOG_VERSION);
  if (reused) return { commit, entries: reused.entries, cached: true, mirrorPath };
  const started = Date.now();
  const entries = buildCatalog(await readCopyFiles(mirrorPath, commit), fileCacheFor(environmentId));
  await saveCatalog({ environmentId, commit, branch: environment.defaultBranch, version: CATALOG_VERSION, entries });
  deps.logger.info({ environmentId, commit, entries: entries.length, ms: Date.now() - started }, "copy catalog built");
  return { commit, entries: entries.length, cached: false, mirrorPath };
}

// Each environment's files from its last catalog build in this worker, so the next commit parses only the
// files it changed. Bounded: a worker serving many environments keeps the most recently built ones.
const MAX_CACHED_ENVIRONMENTS = 16;
const fileCaches = new Map<string, CatalogFileCache<FileFacts>>();

function fileCacheFor(environmentId: string): CatalogFileCache<FileFacts> {
  const cache = fileCaches.get(environmentId) ?? createCatalogFileCache<FileFacts>();
  fileCaches.delete(environmentId);
  fileCaches.set(environmentId, cache);
  for (const oldest of fileCaches.keys()) {
    if (fileCaches.size <= MAX_CACHED_ENVIRONMENTS) break;
    fileCaches.delete(oldest);
  }
  return cache;
}
