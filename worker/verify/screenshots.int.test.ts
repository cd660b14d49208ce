// Before/after screenshots end to end: the fixture web app runs in preview sandboxes on an internal
// network, the worker's Chromium captures it, and the pixel difference shows exactly what changed.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { readArtifact } from "@/lib/artifacts/artifact-queries";
import { bytesOf } from "@/test/support/artifact-bytes";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import type { PreviewConfigInput } from "@/lib/environments/preview-config";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { startModelServer } from "@/scripts/model-server/server";
import { git } from "@/test/support/fixture-repo";
import { createPreviewAppRepo, PREVIEW_APP_CONFIG } from "@/test/support/preview-app-repo";
import { compareImages } from "@/worker/verify/compare-images";
import { docker } from "@/test/support/test-worker";
import { createUser, startTestWorker, waitForFinishedAttempt, type TestWorker } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";

let model: Awaited<ReturnType<typeof startModelServer>>;
let worker: TestWorker;
let userId: string;

const preview = (overrides: Partial<PreviewConfigInput> = {}): PreviewConfigInput => ({
  installCommand: PREVIEW_APP_CONFIG.installCommand,
  startCommand: PREVIEW_APP_CONFIG.startCommand,
  port: PREVIEW_APP_CONFIG.port,
  readinessPath: PREVIEW_APP_CONFIG.readinessPath,
  routes: { mode: "fixed", paths: ["/", "/pricing"] },
  startTimeoutSec: 30,
  ...overrides,
});

function patchScript(patch: string) {
  return { steps: [{ calls: [{ name: "apply_patch", arguments: { patch } }] }, { say: "Done." }] };
}

const HEADING_PATCH = `*** Begin Patch
*** Update File: locales/en.json
@@
-    "title": "Simple, honest pricing",
+    "title": "Fair pricing for every team",
*** End Patch`;

async function runTask(environmentPreview: PreviewConfigInput, script: string, patch: string) {
  const repo = createPreviewAppRepo();
  const environment = await createEnvironment(userId, { name: "preview app", repoUrl: repo.url, preview: environmentPreview });
  model.registerScript(script, patchScript(patch));
  const task = await createTask(userId, { environmentId: environment.id, prompt: `[[script:${script}]] change` });
  const attempt = await waitForFinishedAttempt(task.attemptId, 180_000);
  return { task, attempt, dto: await getTask(userId, task.id) };
}

beforeAll(async () => {
  model = await startModelServer({ port: 0 });
  worker = startTestWorker(model.url);
  userId = (await createUser()).id;
});

afterAll(async () => {
  await worker?.close();
  await model?.close();
});

describe("screenshots", () => {
  it("shows a heading change on its route only, at every viewport", async () => {
    const { task, attempt, dto } = await runTask(preview(), "shots-heading", HEADING_PATCH);
    expect(attempt.status).toBe("completed");
    const shots = dto.attempt?.screenshots?.shots ?? [];
    expect(shots.map((shot) => `${shot.route} ${shot.viewport.name} ${shot.status}`)).toEqual([
      "/ desktop unchanged",
      "/ mobile unchanged",
      "/pricing desktop changed",
      "/pricing mobile changed",
    ]);
    for (const shot of shots.filter((candidate) => candidate.route === "/pricing")) {
      expect(shot.changedRatio).toBeGreaterThan(0);
      expect(shot.changedRatio).toBeLessThan(0.2);
    }
    for (const shot of shots.filter((candidate) => candidate.route === "/")) expect(shot.changedRatio).toBe(0);

    // The images are real PNGs of the viewport's size, served to the owner only.
    const pricing = shots.find((shot) => shot.route === "/pricing" && shot.viewport.name === "mobile");
    const afterUrl = pricing && "url" in pricing.after ? pricing.after.url : "";
    const artifactId = afterUrl.split("/").at(-1) ?? "";
    const image = await readArtifact(userId, artifactId);
    expect(image.contentType).toBe("image/png");
    const png = PNG.sync.read(await bytesOf(image));
    expect([png.width, png.height]).toEqual([390, 844]);
    await expect(readArtifact((await createUser()).id, artifactId)).rejects.toThrow("Artifact not found");

    const events = await listTaskEvents(task.id, 0n);
    const screenshotEvents = events.filter((event) => event.type === "screenshot");
    expect(screenshotEvents).toHaveLength(4);
    expect(dto.attempt?.screenshots?.failures).toEqual([]);
    expect(await db().artifact.count({ where: { attemptId: task.attemptId } })).toBe(12);
    await waitFor(
      "no sandbox or network left",
      async () => {
        const containers = await docker.listContainers({ all: true, filters: { label: [`patchbay.attempt-id=${task.attemptId}`] } });
        const networks = await docker.listNetworks({ filters: { label: [`patchbay.attempt-id=${task.attemptId}`] } });
        return containers.length === 0 && networks.length === 0;
      },
      60_000,
    );
  });

  it("reuses the base commit's before pictures for the next change to it, and only for that commit", async () => {
    const repo = createPreviewAppRepo();
    const environment = await createEnvironment(userId, {
      name: "kept pictures",
      repoUrl: repo.url,
      preview: preview({ viewports: [{ name: "desktop", width: 1280, height: 800 }] }),
    });
    model.registerScript("shots-kept", patchScript(HEADING_PATCH));
    const run = async () => {
      const task = await createTask(userId, { environmentId: environment.id, prompt: "[[script:shots-kept]] change" });
      const attempt = await waitForFinishedAttempt(task.attemptId, 180_000);
      expect(attempt.status).toBe("completed");
      const dto = await getTask(userId, task.id);
      const events = await listTaskEvents(task.id, 0n);
      const messages = events.flatMap((event) => (event.type === "preview" && event.payload.side === "before" ? [event.payload.message] : []));
      const shots = dto.attempt?.screenshots?.shots ?? [];
      const beforeBytes = async (route: string) => {
        const shot = shots.find((candidate) => candidate.route === route);
        const url = shot && "url" in shot.before ? shot.before.url : "";
        return bytesOf(readArtifact(userId, url.split("/").at(-1) ?? ""));
      };
      return { task, messages, shots, beforeBytes };
    };

    const first = await run();
    expect(first.messages).toContain("Starting the app at the base commit.");
    const second = await run();
    // Nothing of the base commit was started: both pictures came from the first task, as its own artifacts.
    expect(second.messages).toEqual(["Reused 2 screenshot(s) of the base commit taken by an earlier task."]);
    expect(second.shots.map((shot) => `${shot.route} ${shot.status}`)).toEqual(["/ unchanged", "/pricing changed"]);
    expect((await second.beforeBytes("/pricing")).equals(await first.beforeBytes("/pricing"))).toBe(true);
    expect(await db().artifact.count({ where: { attemptId: second.task.attemptId, kind: "screenshot" } })).toBe(4);

    // A new commit on the branch changes the tagline on every page: its "before" pictures are taken, not reused.
    const localeFile = path.join(repo.dir, "locales/en.json");
    writeFileSync(localeFile, readFileSync(localeFile, "utf8").replace("Project plans that stay light", "Plans for every kind of project"));
    git(repo.dir, "commit", "-qam", "New tagline");
    const third = await run();
    expect(third.messages).toContain("Starting the app at the base commit.");
    expect(third.messages.some((message) => message.startsWith("Reused"))).toBe(false);
    expect((await third.beforeBytes("/")).equals(await first.beforeBytes("/"))).toBe(false);
  });

  it("finds no pixel difference when nothing visible changed", async () => {
    const patch = `*** Begin Patch
*** Update File: README.md
@@
+
+Edited by a test.
*** End Patch`;
    const { attempt, dto } = await runTask(
      preview({ viewports: [{ name: "desktop", width: 1280, height: 800 }], routes: { mode: "fixed", paths: ["/", "/pricing", "/broken"] } }),
      "shots-invisible",
      patch,
    );
    expect(attempt.status).toBe("completed");
    const shots = dto.attempt?.screenshots?.shots ?? [];
    expect(shots.map((shot) => `${shot.route} ${shot.status}`)).toEqual(["/ unchanged", "/pricing unchanged", "/broken failed"]);
    for (const shot of shots.slice(0, 2)) expect(shot.changedRatio).toBe(0);
    // A route that answers HTTP 500 is reported as such on both sides.
    const broken = shots[2];
    expect(broken && "error" in broken.before ? broken.before.error : null).toMatchObject({ reason: "http", status: 500, message: "HTTP 500 from /broken" });
    expect(broken && "error" in broken.after ? broken.after.error.status : null).toBe(500);
  });

  it("reports an install command that fails and a port that never opens", async () => {
    const failedInstall = await runTask(
      preview({ installCommand: "echo missing dependency >&2; exit 3", viewports: [{ name: "desktop", width: 1280, height: 800 }] }),
      "shots-install",
      HEADING_PATCH,
    );
    const installFailures = failedInstall.dto.attempt?.screenshots?.failures ?? [];
    expect(installFailures.map((failure) => `${failure.side} ${failure.stage}`)).toEqual(["before install", "after install"]);
    expect(installFailures[0]?.message).toBe("The install command exited with code 3.");
    expect(installFailures[0]?.logTail).toContain("missing dependency");

    const neverReady = await runTask(
      preview({ startCommand: "sleep 300", startTimeoutSec: 5, viewports: [{ name: "desktop", width: 1280, height: 800 }] }),
      "shots-port",
      HEADING_PATCH,
    );
    expect(neverReady.attempt.status).toBe("completed");
    const readyFailures = neverReady.dto.attempt?.screenshots?.failures ?? [];
    expect(readyFailures.map((failure) => `${failure.side} ${failure.stage}`)).toEqual(["before ready", "after ready"]);
    expect(readyFailures[0]?.message).toContain("was not ready within 5 s (port 4173 not answering)");
  });

  it("reports a broken start command with its log, and keeps the diff", async () => {
    const { attempt, dto } = await runTask(
      preview({ startCommand: "node does-not-exist.js", viewports: [{ name: "desktop", width: 1280, height: 800 }] }),
      "shots-broken",
      HEADING_PATCH,
    );
    expect(attempt.status).toBe("completed");
    expect(attempt.patch).toContain("Fair pricing for every team");
    const failures = dto.attempt?.screenshots?.failures ?? [];
    expect(failures.map((failure) => `${failure.side} ${failure.stage}`)).toEqual(["before start", "after start"]);
    expect(failures[0]?.message).toContain("exited before the app was ready");
    expect(failures[0]?.logTail).toContain("does-not-exist.js");
    expect(dto.attempt?.screenshots?.shots.every((shot) => shot.status === "failed")).toBe(true);
  });

  it("gives the agent a screenshot tool whose image reaches the model and follows file changes", async () => {
    const repo = createPreviewAppRepo();
    const environment = await createEnvironment(userId, {
      name: "agent shots",
      repoUrl: repo.url,
      preview: preview({ viewports: [{ name: "mobile", width: 390, height: 844 }] }),
    });
    model.registerScript("agent-shot", {
      steps: [
        { calls: [{ name: "screenshot", arguments: { route: "/pricing", viewport: "mobile" } }] },
        { calls: [{ name: "apply_patch", arguments: { patch: HEADING_PATCH } }] },
        { calls: [{ name: "screenshot", arguments: { route: "/pricing" } }] },
        { calls: [{ name: "screenshot", arguments: { route: "/pricing", viewport: "tv" } }] },
        { say: "Checked the pricing page." },
      ],
    });
    const task = await createTask(userId, { environmentId: environment.id, prompt: "[[script:agent-shot]] check the page" });
    const attempt = await waitForFinishedAttempt(task.attemptId, 180_000);
    expect(attempt.error).toBeNull();

    const requests = model.requests().filter((request) => JSON.stringify(request.body).includes("script:agent-shot"));
    const first = requests[0]?.body as { tools: { name: string }[] };
    expect(first.tools.map((tool) => tool.name)).toEqual(["shell", "apply_patch", "update_plan", "screenshot"]);
    type Item = { type?: string; output?: unknown };
    const outputs = ((requests.at(-1)?.body as { input: Item[] }).input ?? [])
      .filter((item) => item.type === "function_call_output")
      .map((item) => item.output);
    const images = outputs
      .filter((output): output is { type: string; image_url?: string }[] => Array.isArray(output))
      .map((parts) => parts.find((part) => part.type === "input_image")?.image_url ?? "")
      .map((url) => Buffer.from(url.replace(/^data:image\/png;base64,/, ""), "base64"));
    expect(images).toHaveLength(2);
    for (const image of images) expect([PNG.sync.read(image).width, PNG.sync.read(image).height]).toEqual([390, 844]);
    // The second shot was taken after the patch: the app was restarted and shows the new heading.
    expect(compareImages(images[0] ?? Buffer.alloc(0), images[1] ?? Buffer.alloc(0)).changedPixels).toBeGreaterThan(0);
    expect(String(outputs[3])).toContain('Unknown viewport "tv"');

    const shotEvents = (await listTaskEvents(task.id, 0n)).filter((event) => event.type === "screenshot" && event.payload.status === "captured");
    expect(shotEvents).toHaveLength(2);
    const artifactId = shotEvents[0]?.type === "screenshot" ? (shotEvents[0].payload.artifactId ?? "") : "";
    expect((await bytesOf(readArtifact(userId, artifactId))).equals(images[0] ?? Buffer.alloc(0))).toBe(true);
  });
});
