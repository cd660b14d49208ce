// Copy-on-write restores of setup caches with a real Docker engine: the attempt sees the cache at once,
// its writes (renames of cached directories included) never reach the cache, a cache in use cannot be
// removed, the layers go with the attempt, a capped workspace stays capped; and a real project's cached
// install works for the agent, offline, through the whole worker.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createSetupCheck } from "@/lib/tasks/create-setup-check";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { sandboxSpec } from "@/test/support/sandbox";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, docker, TEST_SANDBOX_IMAGE, waitForFinishedAttempt } from "@/test/support/test-worker";
import { createViteAppRepo, VITE_APP_PREVIEW } from "@/test/support/vite-app-repo";
import type { CacheVolumes, SandboxDriver, SandboxHandle } from "./driver";
import { createDockerDriver } from "./docker-driver";
import { homeVolumeName, workspaceVolumeName } from "./labels";
import { createLayeredVolumes, LABEL_LAYER_DIR, type LayeredVolumes } from "./layered-volumes";
import { createWorkspaceDisk, parseSize } from "./workspace-disk";

const scripted = useScriptedWorker({}, { layeredRestore: true });
let root: string;
let layers: LayeredVolumes;
let driver: SandboxDriver;
const attempts: string[] = [];
const caches: CacheVolumes[] = [];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "patchbay-layered-"));
  const created = await createLayeredVolumes({ docker, dir: path.join(root, "layers") });
  if ("unavailable" in created) throw new Error(`layered restores need root on the Docker host: ${created.unavailable}`);
  layers = created;
  driver = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE], layers });
});

afterAll(async () => {
  for (const id of attempts) await driver.destroy(id).catch(() => undefined);
  for (const cache of caches) await driver.removeVolumes([cache.workspace, cache.home]).catch(() => undefined);
  await layers.sweep(new Set());
  execFileSync("rm", ["-rf", root]);
});

async function sh(box: SandboxHandle, script: string, via: SandboxDriver = driver) {
  const result = await via.exec(box, ["bash", "-c", script], { timeoutSec: 60, maxOutputBytes: 64 * 1024 });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
}

/** A saved setup result with a node_modules-like tree and a file in the home, made by the given driver. */
async function savedCache(via: SandboxDriver): Promise<CacheVolumes> {
  const source = sandboxSpec();
  attempts.push(source.attemptId);
  await via.prepareWorkspace(source);
  const box = await via.ensure(source);
  const made = await sh(
    box,
    "cd /workspace && git init -q && echo node_modules/ > .gitignore && git add -A && git -c user.email=a@b -c user.name=a commit -qm init && mkdir -p node_modules/dep/lib && echo installed > node_modules/dep/lib/index.js && echo cached > $HOME/.cache-file",
    via,
  );
  expect(made.code).toBe(0);
  const cache = { workspace: `patchbay-test-cache-${source.attemptId}-ws`, home: `patchbay-test-cache-${source.attemptId}-home` };
  caches.push(cache);
  await via.saveCache(source, cache, { "patchbay.test": "true" });
  await via.destroy(source.attemptId);
  return cache;
}

/** What a cache volume holds, read by a plain container that mounts it read-only. */
function cacheListing(volume: string): string {
  return execFileSync(
    "docker",
    [
      "run",
      "--rm",
      "--network",
      "none",
      "-v",
      `${volume}:/c:ro`,
      "--entrypoint",
      "bash",
      TEST_SANDBOX_IMAGE,
      "-c",
      "cd /c && find . | sort && cat node_modules/dep/lib/index.js",
    ],
    { encoding: "utf8" },
  );
}

describe("layered restores", () => {
  it("shows the cache at once, keeps every write (and rename) in the attempt's own layer, and frees the layer with the attempt", async () => {
    expect(driver.restoresByLayer).toBe(true);
    const cache = await savedCache(driver);
    const before = cacheListing(cache.workspace);

    const spec = sandboxSpec();
    attempts.push(spec.attemptId);
    await driver.prepareWorkspace(spec, cache);
    const box = await driver.ensure(spec);
    const seen = await sh(box, "cat /workspace/node_modules/dep/lib/index.js $HOME/.cache-file; stat -c %U /workspace /workspace/node_modules $HOME");
    expect(seen).toMatchObject({ code: 0, out: "installed\ncached\nagent\nagent\nagent\n" });
    // npm renames package directories with rename(2) while it installs (mv would fall back to copying):
    // on an overlay without redirect_dir that fails with EXDEV.
    const changed = await sh(
      box,
      `cd /workspace && node -e 'require("fs").renameSync("node_modules/dep", "node_modules/dep-renamed")' && echo changed > node_modules/dep-renamed/lib/index.js && mkdir node_modules/new && rm $HOME/.cache-file && echo ok`,
    );
    expect(changed).toMatchObject({ code: 0, out: "ok\n" });

    // The cache is as it was, and in use it cannot be removed.
    expect(cacheListing(cache.workspace)).toBe(before);
    await expect(driver.removeVolumes([cache.workspace])).rejects.toThrow(/lower layer/);

    const layerDir = (await docker.getVolume(workspaceVolumeName(spec.attemptId)).inspect()).Labels[LABEL_LAYER_DIR] ?? "";
    expect(existsSync(path.join(layerDir, "upper"))).toBe(true);
    await driver.destroy(spec.attemptId);
    expect(existsSync(layerDir)).toBe(false);
    expect(readdirSync(path.join(root, "layers"))).toEqual([]);
    // With no attempt on it any more, the cache can go.
    await driver.removeVolumes([cache.workspace, cache.home]);
  });

  it("keeps the workspace cap: writes past it fail inside the sandbox, and the loop device is freed afterwards", async () => {
    const diskDir = path.join(root, "workspaces");
    const disk = await createWorkspaceDisk({ dir: diskDir, sizeBytes: parseSize("64m") });
    if ("unavailable" in disk) throw new Error(`workspace caps need root and losetup here: ${disk.unavailable}`);
    const cappedLayers = await createLayeredVolumes({ docker, dir: path.join(root, "layers"), workspaceDisk: disk });
    if ("unavailable" in cappedLayers) throw new Error(cappedLayers.unavailable);
    const capped = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE], workspaceDisk: disk, layers: cappedLayers });
    const cache = await savedCache(capped);

    const spec = sandboxSpec();
    attempts.push(spec.attemptId);
    await capped.prepareWorkspace(spec, cache);
    const box = await capped.ensure(spec);
    const filled = await sh(
      box,
      "cat node_modules/dep/lib/index.js; dd if=/dev/zero of=/workspace/big bs=1M count=200 2>&1 | grep -m1 'No space'; exit 0",
      capped,
    );
    expect(filled.out).toContain("installed");
    expect(filled.out).toMatch(/No space left on device/);

    const images = () => readdirSync(diskDir).filter((name) => name.endsWith(".ext4"));
    expect(images().length).toBeGreaterThanOrEqual(2);
    await capped.destroy(spec.attemptId);
    expect(images()).toEqual([]);
    expect(execFileSync("losetup", ["-a"], { encoding: "utf8" })).not.toContain(diskDir);
    expect(readdirSync(path.join(root, "layers"))).toEqual([]);
    expect(await docker.listVolumes({ filters: { name: [homeVolumeName(spec.attemptId)] } }).then((r) => r.Volumes ?? [])).toEqual([]);
  });
});

describe("a real project restored by layers", () => {
  it("runs the cached install offline, renames inside node_modules, and previews both sides from the cache", async () => {
    const userId = (await createUser()).id;
    const repo = createViteAppRepo();
    const environment = await createEnvironment(userId, {
      name: "vite app, layered",
      repoUrl: repo.url,
      defaultBranch: "main",
      setupScript: "npm ci --no-audit --no-fund",
      checkCommand: "npm test",
      preview: { ...VITE_APP_PREVIEW, viewports: [{ name: "desktop", width: 1280, height: 800 }], startTimeoutSec: 60 },
    });
    const check = await createSetupCheck(userId, environment.id);
    await waitForFinishedAttempt(check.attemptId, 300_000);
    expect((await getTask(userId, check.id)).attempt?.setup).toMatchObject({ cache: "miss", ran: "setup", exitCode: 0 });

    scripted.model.registerScript("layered-offline", {
      steps: [
        {
          calls: [
            {
              name: "shell",
              arguments: {
                command:
                  'node -e \'const fs = require("fs"); fs.renameSync("node_modules/vitest", "node_modules/v"); fs.renameSync("node_modules/v", "node_modules/vitest")\' && npm test 2>&1 | tail -n 5',
              },
            },
          ],
        },
        {
          calls: [
            {
              name: "apply_patch",
              arguments: {
                patch: "*** Begin Patch\n*** Update File: src/app.jsx\n@@\n-      <h1>Paperclip Notes</h1>\n+      <h1>Paperclip Notebook</h1>\n*** End Patch",
              },
            },
          ],
        },
        { say: "Tests pass; renamed the heading." },
      ],
    });
    const created = await createTask(userId, { environmentId: environment.id, prompt: "[[script:layered-offline]] Run the tests" });
    await waitForFinishedAttempt(created.attemptId, 300_000);
    const task = await getTask(userId, created.id);
    expect(task.attempt?.error).toBeNull();
    expect(task.attempt?.setup).toMatchObject({ cache: "hit", ran: "none" });
    expect(task.attempt?.checkPassed).toBe(true);
    expect(task.attempt?.filesChanged).toBe(1);
    // The "before" preview starts from a layer over the same cache: both sides render the app.
    const shot = task.attempt?.screenshots?.shots[0];
    expect(task.attempt?.screenshots?.failures).toEqual([]);
    expect(shot).toMatchObject({ status: "changed", before: { status: 200 }, after: { status: 200 } });
    expect(shot?.changedRatio).toBeLessThan(0.03);
    const output = (await listTaskEvents(created.id, 0n))
      .flatMap((event) => (event.type === "tool.output" && event.payload.callId !== "check" ? [event.payload.chunk] : []))
      .join("");
    expect(output).toMatch(/4 passed/);
  });
});
