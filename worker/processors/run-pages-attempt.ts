// "Page pictures" (a task of mode `pages`): no model. Builds (or reuses) the copy catalog at the branch
// head, starts the app as the screenshot stage does (setup cache, preview sandbox, the worker's
// Chromium), takes a full-page picture of each route the catalog places texts on, reads every visible
// text with its box, and stores with that commit's catalog which entries appear where
// (lib/copy/page-map.ts). The Copy page then outlines each text on the picture of its page.
import type { BrowserContext } from "playwright-core";
import { saveArtifact } from "@/lib/artifacts/artifact-queries";
import { isOtherLanguage } from "@/lib/copy/catalog-entry";
import { catalogEntriesAt, savePageMap } from "@/lib/copy/catalog-store";
import { type PageMap, type PagePicture, placeTexts, routesToPicture } from "@/lib/copy/page-map";
import { parseStoredPreview } from "@/lib/environments/environment-queries";
import { AppError } from "@/lib/errors";
import { transitionAttempt } from "@/lib/tasks/attempt-status";
import { withoutNul } from "@/lib/timeline/append-event";
import { buildCopyCatalog } from "@/worker/copy/catalog-processor";
import { captureRoute } from "@/worker/verify/capture-route";
import { withPreview } from "@/worker/verify/screenshot-stage";
import { sandboxBase, type AttemptContext } from "./attempt-context";
import { keptBeforePictures, phaseEnv, provisionSandbox } from "./attempt-stages";
import { keepAppForNextChange, keptAppOf } from "./kept-app";

/** Pages are pictured one after another in one browser; a dozen keeps the task within a couple of minutes. */
const ROUTE_LIMIT = 12;
const CAPTURE_TIMEOUT_MS = 30_000;

export async function runPagesAttempt(ctx: AttemptContext): Promise<void> {
  const { deps, ref, task } = ctx;
  const config = parseStoredPreview(task.environment.preview);
  if (!config)
    throw new AppError(
      "bad_request",
      "This environment has no preview, so its pages cannot be pictured. An engineer can set one up on the environment's page.",
    );
  // The catalog first: it says which commit is the head, and which routes have texts.
  const { commit, mirrorPath } = await buildCopyCatalog({ mirrors: deps.mirrors, logger: ctx.log, secretsKey: deps.secretsKey }, task.environment.id);
  if (!(await transitionAttempt(ref, "running", { baseCommit: commit }, `Picturing the pages at ${commit.slice(0, 12)}.`))) return;
  // The app renders in its source language: a translation that reads like a source text is not outlined.
  const entries = (await catalogEntriesAt(task.environment.id, commit)).filter((entry) => !isOtherLanguage(entry));
  const routes = routesToPicture(entries, config.routes.mode === "fixed" ? config.routes.paths : [], ROUTE_LIMIT);

  // The setup (or its cache) as any task gets it; the app itself runs in a preview sandbox on top of it.
  const provisioned = await provisionSandbox(ctx, { mirrorPath, baseCommit: commit });
  await deps.driver.release(provisioned.sandbox);
  const network = await deps.driver.ensureNetwork(sandboxBase(ctx));

  const viewport = config.viewports[0] ?? { name: "desktop", width: 1280, height: 800 };
  // While the app runs at the head anyway: the screenshot stage's "before" pictures of each pictured page,
  // at every viewport, kept for the copy changes that follow (their first change then starts no app at
  // this commit). Best effort: a page that cannot be captured this way is captured by the change itself.
  const kept = keptBeforePictures(ctx, config, commit);
  const keepBeforePicturesOf = async (context: BrowserContext, baseUrl: string, route: string) => {
    for (const shotViewport of config.viewports) {
      const shot = await captureRoute(context, { baseUrl, route, viewport: shotViewport, timeoutMs: CAPTURE_TIMEOUT_MS });
      if (!shot.ok) continue;
      const artifact = await saveArtifact(ref.attemptId, {
        kind: "screenshot",
        contentType: "image/png",
        extension: "png",
        bytes: shot.png,
        metadata: { route, viewport: shotViewport, side: "before", commit },
      });
      await kept.keep(route, shotViewport, artifact.id, shot.status).catch(() => undefined);
    }
  };
  const pictures: PagePicture[] = [];
  const failures: PageMap["failures"] = [];
  const failure = await withPreview(
    {
      driver: deps.driver,
      browsers: deps.browsers,
      sandbox: { ...sandboxBase(ctx), env: phaseEnv(ctx) },
      baseCache: provisioned.setup.cache,
      config,
      base: { mirrorPath, commit, branch: task.branch, gitTimeoutSec: deps.gitTimeoutSec },
      signal: ctx.signal,
      emit: ctx.sink.emit,
    },
    network,
    "before",
    async (context, _guard, baseUrl) => {
      for (const route of routes) {
        const capture = await captureRoute(context, { baseUrl, route, viewport, timeoutMs: CAPTURE_TIMEOUT_MS, fullPage: true, readTexts: true });
        if (!capture.ok) {
          failures.push({ route, message: capture.message });
          await ctx.sink.emit({ type: "screenshot", payload: { route, viewport: viewport.name, status: "failed" } });
          continue;
        }
        const artifact = await saveArtifact(ref.attemptId, {
          kind: "page-picture",
          contentType: "image/png",
          extension: "png",
          bytes: capture.png,
          metadata: { route, viewport, commit },
        });
        const placed = placeTexts(entries, route, capture.texts ?? []);
        pictures.push({ route, viewport, artifactId: artifact.id, ...pngSize(capture.png), ...placed });
        await ctx.sink.emit({ type: "screenshot", payload: { route, viewport: viewport.name, status: "captured", artifactId: artifact.id } });
        await keepBeforePicturesOf(context, baseUrl, route);
      }
    },
  );
  if (failure) throw new AppError("bad_request", `The app could not be started to picture its pages: ${failure.message}`);
  // The pictures usually come before a copywriter's first change on this commit: an app kept for it (when
  // it shows edits live) makes that change as quick as the ones after it.
  keepAppForNextChange(ctx, keptAppOf(ctx, { config, mirrorPath, commit, setupCache: provisioned.setup.cache }));

  const map: PageMap = { commit, attemptId: ref.attemptId, takenAt: new Date().toISOString(), pictures, failures };
  await savePageMap(task.environment.id, map);
  const found = new Set(pictures.flatMap((picture) => [...picture.boxes.flatMap((box) => box.entryIds), ...picture.unplaced]));
  const summary = [
    `Pictured ${pictures.length} of ${routes.length} page(s) at ${commit.slice(0, 12)}; ${found.size} of ${entries.length} texts were found on them.`,
    ...failures.map((failed) => `${failed.route}: ${failed.message}`),
  ].join("\n");
  await ctx.sink.emit({ type: "message", payload: { text: summary } });
  await transitionAttempt(ref, "completed", { patch: "", finalMessage: withoutNul(summary) }, `Pictured ${pictures.length} page(s).`);
}

/** Width and height from the PNG header (IHDR), in pixels. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
