// Kept apps for copy changes (worker/verify/warm-previews.ts) through the real queue, worker, Docker,
// Chromium, Postgres and Redis, on the Paperkite app (its server reads files per request): a copy change
// leaves an app of its commit running, hardened like any preview and on an internal network of its own;
// the next change on that commit is previewed on it (its "before" picture too, when none is kept), and its
// pictures show the new text; page pictures leave one too; a new commit, an
// app that stopped, or an app that does not show edits live each get an app of their own.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import type { CatalogEntry } from "@/lib/copy/catalog";
import { getCatalogView } from "@/lib/copy/catalog-queries";
import { takePagePictures } from "@/lib/copy/page-pictures";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createRedis } from "@/lib/queue/connection";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { git } from "@/test/support/fixture-repo";
import { createPreviewAppRepo, PREVIEW_APP_CONFIG } from "@/test/support/preview-app-repo";
import { containerExists, sandboxSpec, testId } from "@/test/support/sandbox";
import { createUser, docker, startTestWorker, TEST_INSTANCE_ID, TEST_SANDBOX_IMAGE, type TestWorker, waitForFinishedAttempt } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";
import { createDockerDriver } from "@/worker/sandbox/docker-driver";
import { LABEL_ATTEMPT, LABEL_ROLE, LABEL_WARM, LABEL_WORKER } from "@/worker/sandbox/labels";
import { reapOrphans } from "@/worker/sandbox/reaper";
import { createWarmPreviews, type WarmPreviews } from "./warm-previews";

const WORKER_ID = testId("warm-previews-");
const HEADING = "Simple, honest pricing";
const KEPT_MESSAGE = "Applying the changes to the app running at the base commit.";
const OWN_MESSAGE = "Starting the app with the changes.";

let worker: TestWorker;
let previews: WarmPreviews;
let userId: string;

beforeAll(async () => {
  const driver = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
  previews = createWarmPreviews({ size: 1, idleMs: 10 * 60_000, remove: (poolId) => driver.destroy(poolId), onError: () => undefined });
  worker = startTestWorker(null, { workerId: WORKER_ID, driver, warmPreviews: previews });
  userId = (await createUser()).id;
  await db().user.update({ where: { id: userId }, data: { role: "admin" } });
});

afterAll(async () => {
  await worker?.close();
});

type ContainerInspect = Awaited<ReturnType<ReturnType<typeof docker.getContainer>["inspect"]>>;

async function keptApps() {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL_WARM}=true`, `${LABEL_WORKER}=${WORKER_ID}`] } });
}

async function paperkite(options: { servesEditsLive: boolean }) {
  const repo = createPreviewAppRepo();
  const environment = await createEnvironment(userId, {
    name: testId("paperkite-"),
    repoUrl: repo.url,
    checkCommand: "node scripts/check.js",
    copyPaths: { copywriter: ["locales/**"] },
    preview: {
      installCommand: PREVIEW_APP_CONFIG.installCommand,
      startCommand: PREVIEW_APP_CONFIG.startCommand,
      port: PREVIEW_APP_CONFIG.port,
      readinessPath: PREVIEW_APP_CONFIG.readinessPath,
      servesEditsLive: options.servesEditsLive,
      routes: { mode: "fixed", paths: ["/pricing"] },
      viewports: [{ name: "desktop", width: 1280, height: 800 }],
      startTimeoutSec: 60,
    },
  });
  return { repo, environment };
}

async function heading(environmentId: string, refresh = false): Promise<CatalogEntry> {
  if (refresh) await getCatalogView(userId, environmentId, { refresh: true });
  return waitFor(
    "the catalog's heading",
    async () => {
      const view = await getCatalogView(userId, environmentId);
      if (view.status === "failed") throw new Error(view.message);
      if (view.status !== "ready") return null;
      return view.entries.find((entry) => entry.path === "locales/en.json" && entry.key === "pricing.title") ?? null;
    },
    120_000,
    200,
  );
}

/** Changes the heading; returns how the "after" app was started and the page's pixel difference. */
async function changeHeading(environmentId: string, entry: CatalogEntry, text: string) {
  const task = await createTask(userId, { environmentId, mode: "copy", edits: [{ id: entry.id, from: entry.text, text }] });
  const attempt = await waitForFinishedAttempt(task.attemptId, 180_000);
  expect(attempt.error).toBeNull();
  expect(attempt.status).toBe("completed");
  const report = attempt.previewReport as PreviewReport;
  expect(report.failures).toEqual([]);
  const events = await listTaskEvents(task.id, 0n);
  const starting = (side: "before" | "after") => {
    const event = events.find((candidate) => candidate.type === "preview" && candidate.payload.side === side && candidate.payload.stage === "starting");
    return event?.type === "preview" ? event.payload.message : null;
  };
  return { beforeMessage: starting("before"), afterMessage: starting("after"), changedPixels: report.shots[0]?.diff?.changedPixels ?? 0 };
}

describe("warm previews", () => {
  it("keeps an app of the commit after a copy change, previews the next change on it, and keeps a new one", async () => {
    const { environment } = await paperkite({ servesEditsLive: true });
    const entry = await heading(environment.id);
    expect(entry.text).toBe(HEADING);

    const first = await changeHeading(environment.id, entry, "Fair pricing for every team");
    expect(first.afterMessage).toBe(OWN_MESSAGE);
    expect(first.changedPixels).toBeGreaterThan(0);
    await previews.settled();
    const [kept, ...others] = await keptApps();
    expect(others).toEqual([]);
    expect(kept?.State).toBe("running");
    expect(kept?.Labels[LABEL_ROLE]).toBe("preview-base");
    const poolId = kept?.Labels[LABEL_ATTEMPT] ?? "";

    // Hardened exactly like an attempt's own preview of the app (one template, the same limits), on an
    // internal network of its own.
    const keptInfo = await docker.getContainer(kept?.Id ?? "").inspect();
    const networks = Object.keys(keptInfo.NetworkSettings.Networks);
    expect(networks).toEqual([`patchbay-net-${poolId}`]);
    expect((await docker.getNetwork(networks[0] ?? "").inspect()).Internal).toBe(true);
    const driver = worker.deps.driver;
    const spec = sandboxSpec({ workerId: WORKER_ID, limits: worker.deps.limits });
    try {
      const network = await driver.ensureNetwork(spec);
      const own = await driver.ensure({ ...spec, role: "preview-base", network });
      const ownInfo = await docker.getContainer(own.containerId).inspect();
      const comparable = (info: ContainerInspect) => ({
        ...info.HostConfig,
        NetworkMode: "network",
        Mounts: info.HostConfig.Mounts?.map((mount) => ({ ...mount, Source: "volume" })),
      });
      expect(comparable(keptInfo)).toEqual(comparable(ownInfo));
      for (const field of ["User", "Entrypoint", "Cmd", "WorkingDir"] as const) expect(keptInfo.Config[field]).toEqual(ownInfo.Config[field]);
      expect(keptInfo.HostConfig.CapDrop).toEqual(["ALL"]);
      expect(keptInfo.HostConfig.ReadonlyRootfs).toBe(true);
    } finally {
      await driver.destroy(spec.attemptId);
    }

    // This worker's reaper leaves it alone while the worker holds it.
    const redis = createRedis(process.env.REDIS_URL ?? "", "client");
    try {
      await reapOrphans({ docker, redis, instanceId: TEST_INSTANCE_ID, workerId: WORKER_ID, active: new Map(), warm: previews });
    } finally {
      redis.disconnect();
    }
    expect(await containerExists(kept?.Id ?? "")).toBe(true);

    // The next change on the same commit: the kept app gets the patch, and its picture shows the new text.
    const second = await changeHeading(environment.id, entry, "Pricing for everyone");
    expect(second.afterMessage).toBe(KEPT_MESSAGE);
    expect(second.changedPixels).toBeGreaterThan(0);
    // Its "before" picture was the first change's, kept: nothing ran at the base commit for it.
    expect(second.beforeMessage).toBeNull();
    await previews.settled();
    expect(await containerExists(kept?.Id ?? "")).toBe(false);
    const [next] = await keptApps();
    expect(next?.Labels[LABEL_ATTEMPT]).not.toBe(poolId);

    // With no "before" picture kept, the kept app gives it too, before the patch goes in: the pictures
    // differ (taken after the patch, they would be the same).
    await db().beforePicture.deleteMany({ where: { environmentId: environment.id } });
    const third = await changeHeading(environment.id, entry, "Pricing that fits");
    expect(third.beforeMessage).toBe("Using the app running at the base commit.");
    expect(third.afterMessage).toBe(KEPT_MESSAGE);
    expect(third.changedPixels).toBeGreaterThan(0);
    expect(await db().beforePicture.count({ where: { environmentId: environment.id } })).toBe(1);
  });

  it("gives a change on a new commit, or after the kept app stopped, an app of its own", async () => {
    const { repo, environment } = await paperkite({ servesEditsLive: true });
    const entry = await heading(environment.id);
    await changeHeading(environment.id, entry, "Fair pricing for every team");
    await previews.settled();

    // A new commit on the branch: the app kept for the old one is not used (and is replaced).
    const locale = path.join(repo.dir, "locales/en.json");
    const json = JSON.parse(execFileSync("git", ["show", "HEAD:locales/en.json"], { cwd: repo.dir, encoding: "utf8" }));
    json.pricing.subtitle = "Changed on the branch";
    writeFileSync(locale, `${JSON.stringify(json, null, 2)}\n`);
    git(repo.dir, "commit", "-qam", "subtitle");
    const [oldApp] = await keptApps();
    const newEntry = await waitFor("the new commit's catalog", async () => {
      const candidate = await heading(environment.id, true);
      const view = await getCatalogView(userId, environment.id);
      return view.commit !== repo.baseCommit ? candidate : null;
    });
    const onNewCommit = await changeHeading(environment.id, newEntry, "Pricing on the new commit");
    expect(onNewCommit.afterMessage).toBe(OWN_MESSAGE);
    expect(onNewCommit.changedPixels).toBeGreaterThan(0);
    await previews.settled();
    expect(await containerExists(oldApp?.Id ?? "")).toBe(false);

    // The kept app of the new commit stops: the next change notices and starts its own.
    const [kept] = await keptApps();
    await docker.getContainer(kept?.Id ?? "").kill();
    const afterStop = await changeHeading(environment.id, newEntry, "Pricing after a stop");
    expect(afterStop.afterMessage).toBe(OWN_MESSAGE);
    expect(afterStop.changedPixels).toBeGreaterThan(0);
    await previews.settled();
    expect(await containerExists(kept?.Id ?? "")).toBe(false);
  });

  it("keeps an app after the page pictures, so the first change on the commit starts none", async () => {
    const { environment } = await paperkite({ servesEditsLive: true });
    const entry = await heading(environment.id);
    const started = await takePagePictures(userId, environment.id);
    const attemptId = (await getTask(userId, started.id)).attempt?.id ?? "";
    const pictured = await waitForFinishedAttempt(attemptId, 180_000);
    expect(pictured.status).toBe("completed");
    await previews.settled();

    // The pictures kept the "before" picture; the change applies its patch to the app they left running.
    const first = await changeHeading(environment.id, entry, "Fair pricing for every team");
    expect(first.beforeMessage).toBeNull();
    expect(first.afterMessage).toBe(KEPT_MESSAGE);
    expect(first.changedPixels).toBeGreaterThan(0);
  });

  it("keeps no app for a preview that does not show edits live", async () => {
    const { environment } = await paperkite({ servesEditsLive: false });
    const entry = await heading(environment.id);
    // Whatever an earlier test kept is not for this environment.
    const before = (await keptApps()).map((info) => info.Id);
    const change = await changeHeading(environment.id, entry, "Fair pricing for every team");
    expect(change.afterMessage).toBe(OWN_MESSAGE);
    await previews.settled();
    expect((await keptApps()).map((info) => info.Id)).toEqual(before);
  });

  it("removes every kept app when the worker stops", async () => {
    await previews.drain();
    expect(await keptApps()).toEqual([]);
    const leftovers = await docker.listVolumes({ filters: { label: [`${LABEL_WARM}=true`, `${LABEL_WORKER}=${WORKER_ID}`] } });
    expect(leftovers.Volumes ?? []).toEqual([]);
    const networks = await docker.listNetworks({ filters: { label: [`${LABEL_WARM}=true`, `${LABEL_WORKER}=${WORKER_ID}`] } });
    expect(networks).toEqual([]);
  });
});
