// Copy mode's page pictures from the web's side: starting a "Page pictures" task (mode `pages`, run by
// worker/processors/run-pages-attempt.ts), the pictures and their state for the Copy page, and the
// picture bytes. Anyone who may use copy mode on the environment may take and see them: they show the
// app at its branch head, which those people already see as text.
import { readArtifact, type StoredArtifact } from "@/lib/artifacts/artifact-queries";
import { db, DbNull } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createModelFreeTask } from "@/lib/tasks/create-model-free-task";
import { getCopyEnvironment } from "./copy-environments";
import type { PageMap, PagePicture } from "./page-map";

const PROMPT = "Take pictures of the pages and find the texts on them";
const UNFINISHED = ["queued", "provisioning", "running"] as const;

export type PicturesView = {
  /** none: never taken; taking: a task is picturing the pages now; ready; failed: the last try failed (message). */
  status: "none" | "taking" | "ready" | "failed";
  message?: string;
  /** The task doing or that did the work, for its timeline. */
  taskId?: string;
  commit?: string;
  takenAt?: string;
  pictures: (Omit<PagePicture, "artifactId"> & { url: string })[];
  failures: PageMap["failures"];
};

/** Starts picturing the environment's pages, or returns the task already doing it. */
export async function takePagePictures(userId: string, environmentId: string): Promise<{ id: string; started: boolean }> {
  const environment = await getCopyEnvironment(userId, environmentId);
  if (!environment.hasPreview) {
    throw new AppError(
      "bad_request",
      "This environment has no preview, so its pages cannot be pictured. An engineer can set one up on the environment's page.",
    );
  }
  const running = await unfinishedPicturesTask(environmentId);
  if (running) return { id: running.id, started: false };
  const created = await createModelFreeTask(userId, {
    environmentId,
    branch: environment.defaultBranch,
    mode: "pages",
    title: "Page pictures",
    prompt: PROMPT,
  });
  return { id: created.id, started: true };
}

function unfinishedPicturesTask(environmentId: string) {
  return db().task.findFirst({
    where: { environmentId, mode: "pages", turns: { some: { attempts: { some: { status: { in: [...UNFINISHED] } } } } } },
    select: { id: true },
  });
}

/**
 * The newest pictures of the environment (possibly of an older commit than the texts) and whether new ones
 * are being taken; `map` is the stored page map they come from.
 */
export async function latestPictures(environmentId: string): Promise<{ view: PicturesView; map: PageMap | null }> {
  const [latestTask, withMap] = await Promise.all([
    db().task.findFirst({
      where: { environmentId, mode: "pages" },
      orderBy: { createdAt: "desc" },
      select: { id: true, turns: { select: { attempts: { select: { status: true, error: true } } } } },
    }),
    db().copyCatalog.findFirst({ where: { environmentId, pageMap: { not: DbNull } }, orderBy: { checkedAt: "desc" }, select: { pageMap: true } }),
  ]);
  const map = (withMap?.pageMap ?? null) as PageMap | null;
  const attempt = latestTask?.turns[0]?.attempts[0];
  const pictures = (map?.pictures ?? []).map(({ artifactId, ...picture }) => ({ ...picture, url: pictureUrl(environmentId, artifactId) }));
  const taken = map ? { commit: map.commit, takenAt: map.takenAt, failures: map.failures } : { failures: [] };
  const base = { ...(latestTask ? { taskId: latestTask.id } : {}), ...taken, pictures };
  if (attempt && (UNFINISHED as readonly string[]).includes(attempt.status)) return { view: { status: "taking", ...base }, map };
  if (attempt?.status === "failed") return { view: { status: "failed", message: firstLine(attempt.error ?? "Taking the pictures failed."), ...base }, map };
  return { view: { status: map ? "ready" : "none", ...base }, map };
}

export function pictureUrl(environmentId: string, artifactId: string): string {
  return `/api/v1/environments/${environmentId}/copy/pictures/${artifactId}`;
}

/** A page picture's bytes, for anyone who may use copy mode on its environment. */
export async function readPagePicture(userId: string, environmentId: string, artifactId: string): Promise<StoredArtifact> {
  await getCopyEnvironment(userId, environmentId);
  const row = await db().artifact.findFirst({
    where: { id: artifactId, kind: "page-picture", attempt: { turn: { task: { environmentId, mode: "pages" } } } },
    select: { attempt: { select: { turn: { select: { task: { select: { ownerId: true } } } } } } },
  });
  if (!row) throw new AppError("not_found", "Picture not found.");
  // Read as the task's owner: the same bytes, the same pruning rules as every artifact.
  return readArtifact(row.attempt.turn.task.ownerId, artifactId);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
