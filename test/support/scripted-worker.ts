// The usual integration-test setup: a scripted model server and a test worker using it, started before
// the file's tests and stopped after them. Read `model` inside tests (it exists once beforeAll ran).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startModelServer } from "@/scripts/model-server/server";
import { createDockerDriver } from "@/worker/sandbox/docker-driver";
import { createLayeredVolumes, type LayeredVolumes } from "@/worker/sandbox/layered-volumes";
import { docker, startTestWorker, TEST_SANDBOX_IMAGE, type TestWorker } from "./test-worker";

type ModelServer = Awaited<ReturnType<typeof startModelServer>>;

export function useScriptedWorker(
  overrides: Parameters<typeof startTestWorker>[1] = {},
  options: {
    /** Restore setup caches as copy-on-write layers, as a worker running as root on the Docker host does. */
    layeredRestore?: boolean;
    /** The triggers' Slack app and Linear address; the object is read when a job runs (fill it in beforeAll). */
    triggers?: Parameters<typeof startTestWorker>[2];
  } = {},
): { readonly model: ModelServer; readonly worker: TestWorker } {
  let model: ModelServer | undefined;
  let worker: TestWorker | undefined;
  let layers: { dir: string; volumes: LayeredVolumes } | undefined;
  beforeAll(async () => {
    model = await startModelServer({ port: 0 });
    if (options.layeredRestore) {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-layers-")), "layers");
      const created = await createLayeredVolumes({ docker, dir });
      if ("unavailable" in created) throw new Error(`layered restores need root on the Docker host: ${created.unavailable}`);
      layers = { dir, volumes: created };
      overrides = { driver: createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE], layers: created }), ...overrides };
    }
    worker = startTestWorker(model.url, overrides, options.triggers);
  });
  afterAll(async () => {
    await worker?.close();
    await model?.close();
    if (layers) {
      await layers.volumes.sweep(new Set(((await docker.listVolumes()).Volumes ?? []).map((volume) => volume.Name)));
      rmSync(path.dirname(layers.dir), { recursive: true, force: true });
    }
  });
  return {
    get model() {
      if (!model) throw new Error("The scripted model server is not running (use it inside a test).");
      return model;
    },
    get worker() {
      if (!worker) throw new Error("The test worker is not running (use it inside a test).");
      return worker;
    },
  };
}
