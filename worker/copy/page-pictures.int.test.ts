// Copy mode's page pictures on a real single-page app: Inkwell (Vite + React + react-router, an ICU JSON
// catalog) is installed by the environment's setup from the npm registry, started in a preview sandbox,
// and each route is pictured by the worker's Chromium. The rendered texts confirm which catalog entries
// are on which route (the code alone cannot place texts reached through the route table), and each is
// outlined where it renders.
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogEntry } from "@/lib/copy/catalog";
import { isOtherLanguage } from "@/lib/copy/catalog-entry";
import { getCatalogView } from "@/lib/copy/catalog-queries";
import { createCopyTask } from "@/lib/copy/create-copy-task";
import { readPagePicture, takePagePictures } from "@/lib/copy/page-pictures";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { isAppError } from "@/lib/errors";
import { getTask } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createUser, startTestWorker, waitForFinishedAttempt, type TestWorker } from "@/test/support/test-worker";
import { createViteRouterAppRepo, VITE_ROUTER_APP_PREVIEW } from "@/test/support/vite-app-repo";
import { waitFor } from "@/test/support/wait-for";
import { bytesOf } from "@/test/support/artifact-bytes";

let worker: TestWorker;

beforeAll(() => {
  worker = startTestWorker(null);
});

afterAll(async () => {
  await worker?.close();
});

async function copywriter(): Promise<string> {
  const user = await createUser();
  await db().user.update({ where: { id: user.id }, data: { role: "copywriter" } });
  return user.id;
}

function entry(entries: CatalogEntry[], text: string): CatalogEntry {
  const found = entries.find((candidate) => candidate.text === text);
  if (!found) throw new Error(`no catalog entry "${text}" in ${entries.map((candidate) => candidate.text).join(" | ")}`);
  return found;
}

describe("page pictures", () => {
  it("pictures each route of a react-router app, confirms where each text renders and outlines it there", async () => {
    const engineerId = (await createUser()).id;
    const writerId = await copywriter();
    // Engineers use copy mode on their own environments only.
    const strangerId = (await createUser()).id;
    const repo = createViteRouterAppRepo();
    const environment = await createEnvironment(engineerId, {
      name: "Inkwell",
      repoUrl: repo.url,
      setupScript: "npm ci --no-audit --no-fund",
      preview: { ...VITE_ROUTER_APP_PREVIEW, viewports: [{ name: "desktop", width: 1280, height: 800 }], startTimeoutSec: 60 },
      copyPaths: { copywriter: ["src/**"] },
    });

    const started = await takePagePictures(writerId, environment.id);
    expect(started.started).toBe(true);
    // Asking again while it runs returns the same task instead of a second one.
    expect(await takePagePictures(writerId, environment.id)).toEqual({ id: started.id, started: false });
    const attemptId = (await getTask(writerId, started.id)).attempt?.id ?? "";
    const attempt = await waitForFinishedAttempt(attemptId, 300_000);
    expect(attempt.error).toBeNull();
    expect(attempt.status).toBe("completed");

    const view = await waitFor(
      "the catalog with its pictures",
      async () => {
        const current = await getCatalogView(writerId, environment.id);
        return current.status === "ready" && current.pictures?.status === "ready" ? current : null;
      },
      60_000,
      200,
    );
    const pictures = view.pictures;
    expect(pictures?.commit).toBe(repo.baseCommit);
    expect(pictures?.failures).toEqual([]);
    expect(pictures?.pictures.map((picture) => picture.route).sort()).toEqual(["/", "/about", "/pricing"]);

    // The code cannot place texts reached through the route table; the pictures do.
    const pricingTitle = entry(view.entries, "Plans for every team");
    expect(pricingTitle).toMatchObject({ path: "src/locales/en.json", key: "pricing.title", renderedPages: ["/pricing"] });
    expect(entry(view.entries, "Write without the clutter").renderedPages).toEqual(["/"]);
    expect(entry(view.entries, "Welcome back, {name}!").renderedPages).toEqual(["/"]);
    expect(entry(view.entries, "Your work email").renderedPages).toEqual(["/pricing"]);
    expect(entry(view.entries, "Written by people who write").renderedPages).toEqual(["/about"]);
    // The layout's navigation renders on every route.
    expect(entry(view.entries, "About us").renderedPages).toEqual(["/", "/about", "/pricing"]);
    // German is in the catalog marked as another language (the page hides it by default) and a fact of each source entry.
    expect(view.sourceLocale).toEqual({ locale: "en", reason: "English" });
    expect(view.entries.filter((candidate) => candidate.text === "Tarife für jedes Team").map((candidate) => candidate.locale)).toEqual(["de"]);
    expect(view.entries.filter((candidate) => candidate.text === "Tarife für jedes Team").every(isOtherLanguage)).toBe(true);
    expect(pricingTitle.translations).toEqual(["de"]);

    // The heading's outline is where the heading is: below the navigation, left, one line high.
    const pricing = pictures?.pictures.find((picture) => picture.route === "/pricing");
    const heading = pricing?.boxes.find((box) => box.entryIds.includes(pricingTitle.id));
    const nav = pricing?.boxes.find((box) => box.entryIds.includes(entry(view.entries, "About us").id));
    expect(heading && nav).toBeTruthy();
    if (!heading || !nav || !pricing) return;
    expect(heading.y).toBeGreaterThan(nav.y + nav.height);
    expect(heading.x).toBeLessThan(200);
    expect(heading.height).toBeGreaterThan(20);
    expect(heading.height).toBeLessThan(80);
    expect(heading.y + heading.height).toBeLessThanOrEqual(pricing.height);

    // The picture is a PNG of the size the boxes are in, served to copy users of the environment only.
    const artifactId = pricing.url.split("/").at(-1) ?? "";
    const png = PNG.sync.read(await bytesOf(readPagePicture(writerId, environment.id, artifactId)));
    expect([png.width, png.height]).toEqual([pricing.width, pricing.height]);
    const refused = await readPagePicture(strangerId, environment.id, artifactId).catch((error: unknown) => error);
    expect(isAppError(refused) && refused.code).toBe("not_found");

    // An ICU message edited to leave a brace open is refused before anything runs.
    const lone = await createCopyTask(writerId, {
      environmentId: environment.id,
      mode: "copy",
      edits: [{ id: entry(view.entries, "Welcome back, {name}!").id, from: "Welcome back, {name}!", text: "Welcome back, {name" }],
    }).catch((error: unknown) => error);
    expect(isAppError(lone) && lone.code).toBe("bad_request");
    expect(isAppError(lone) && JSON.stringify(lone.details)).toMatch(/leaves one unclosed/);

    // A change proposed after the pictures is screenshotted where the pictures saw it (the code places
    // the layout's "About us" nowhere), and says which translations are now out of date.
    const proposed = await createCopyTask(writerId, {
      environmentId: environment.id,
      mode: "copy",
      edits: [
        { id: entry(view.entries, "About us").id, from: "About us", text: "Our story" },
        { id: pricingTitle.id, from: "Plans for every team", text: "Plans for teams of any size" },
      ],
    });
    const turn = await db().turn.findFirst({ where: { taskId: proposed.id }, select: { copyRequest: true } });
    expect(turn?.copyRequest).toMatchObject({ routes: ["/", "/about", "/pricing"], translations: { [pricingTitle.id]: ["de"] } });
    await waitForFinishedAttempt(proposed.attemptId, 300_000);
    const task = await getTask(writerId, proposed.id);
    expect(task.status).toBe("completed");
    expect(task.attempt?.copyChanges.map((change) => [change.after, change.translations ?? []])).toEqual([
      ["Our story", []],
      ["Plans for teams of any size", ["de"]],
    ]);
    expect(task.attempt?.screenshots?.shots.filter((shot) => shot.status === "changed").map((shot) => shot.route)).toEqual(["/", "/about", "/pricing"]);
    // The pictures task kept each page's "before" screenshot at the head: the change did not start the app
    // at that commit again, and its "before" pictures are the ones the pictures task took.
    const keptRows = await db().beforePicture.findMany({ where: { environmentId: environment.id }, select: { artifact: { select: { attemptId: true } } } });
    expect(keptRows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(keptRows.map((row) => row.artifact.attemptId))).toEqual(new Set([attemptId]));
    const beforeMessages = (await listTaskEvents(proposed.id, 0n)).flatMap((event) =>
      event.type === "preview" && event.payload.side === "before" ? [event.payload.message] : [],
    );
    expect(beforeMessages).toEqual(["Reused 3 screenshot(s) of the base commit taken by an earlier task."]);
  });
});
