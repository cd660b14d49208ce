// The Copy page's data: the newest catalog of an environment, and whether a fresher one is being built.
// Opening the page asks the worker to check the branch head when the catalog was last checked more than
// a minute ago; the worker rebuilds only if the head moved (catalogs are per commit).
import { db } from "@/lib/db";
import { catalogBuildState, enqueueCatalogBuild } from "@/lib/queue/producer";
import { type CatalogEntry, type SourceLocale, sourceLocaleOf } from "./catalog-entry";
import { getCopyEnvironment } from "./copy-environments";
import { renderedPagesOf } from "./page-map";
import { latestPictures, type PicturesView } from "./page-pictures";
import { filesOutOfScope } from "./path-scope";

const FRESH_MS = 60_000;

export type CatalogView = {
  environment: { id: string; name: string; hasPreview: boolean };
  /** ready: entries are current; building: a (re)build is running (entries may be the previous commit's); failed: see message. */
  status: "ready" | "building" | "failed";
  message?: string;
  commit: string | null;
  checkedAt: string | null;
  allowedPaths: string[] | null;
  /** Files with strings this person's role may not change: proposing them is rejected by the worker. */
  outOfScopeFiles: string[];
  /**
   * Every language's strings: those of locale files in another language than `sourceLocale` (isOtherLanguage)
   * are shown only when the copywriter asks for them.
   */
  entries: CatalogEntry[];
  /** The language copywriters write, and how it was chosen ("from i18n/routing.ts"); null without locale files. */
  sourceLocale: SourceLocale | null;
  /** Pictures of the pages with each text's place on them; null when the environment has no preview. */
  pictures: PicturesView | null;
};

export async function latestCatalog(environmentId: string) {
  return db().copyCatalog.findFirst({ where: { environmentId }, orderBy: { checkedAt: "desc" }, select: { commit: true, checkedAt: true, entries: true } });
}

export async function getCatalogView(userId: string, environmentId: string, options: { refresh?: boolean } = {}): Promise<CatalogView> {
  const environment = await getCopyEnvironment(userId, environmentId);
  // The build's state first, then the catalog: a build that ends between the two reads then shows as
  // still building (the next look is ready with its texts). The other order could say "ready" with the
  // catalog read before that build saved its commit's texts.
  let build = await catalogBuildState(environmentId);
  const latest = await latestCatalog(environmentId);
  const stale = !latest || Date.now() - latest.checkedAt.getTime() > FRESH_MS;
  if (build.state !== "building" && (options.refresh || (stale && build.state !== "failed"))) {
    await enqueueCatalogBuild(environmentId);
    build = { state: "building" };
  }
  const stored = Array.isArray(latest?.entries) ? (latest.entries as CatalogEntry[]) : [];
  const pictures = environment.hasPreview ? await latestPictures(environmentId) : null;
  // Pictures of another commit still help to find a text, but say nothing certain about this commit's entries.
  const rendered = pictures?.map && pictures.map.commit === latest?.commit ? renderedPagesOf(pictures.map) : null;
  const entries = rendered ? stored.map((entry) => (rendered.has(entry.id) ? { ...entry, renderedPages: rendered.get(entry.id) } : entry)) : stored;
  return {
    environment: { id: environment.id, name: environment.name, hasPreview: environment.hasPreview },
    status: build.state === "idle" ? "ready" : build.state,
    ...(build.state !== "idle" && build.message ? { message: build.message } : {}),
    commit: latest?.commit ?? null,
    checkedAt: latest?.checkedAt.toISOString() ?? null,
    allowedPaths: environment.allowedPaths,
    outOfScopeFiles: filesOutOfScope([...new Set(entries.map((entry) => entry.path))], environment.allowedPaths),
    entries,
    sourceLocale: sourceLocaleOf(stored),
    pictures: pictures?.view ?? null,
  };
}
