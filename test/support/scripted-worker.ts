// The usual integration-test setup: a scripted model server and a test worker using it, started before
// the file's tests and stopped after them. Read `model` inside tests (it exists once beforeAll ran).
import { afterAll, beforeAll } from "vitest";
import { startModelServer } from "@/scripts/model-server/server";
import { startTestWorker, type TestWorker } from "./test-worker";

type ModelServer = Awaited<ReturnType<typeof startModelServer>>;

export function useScriptedWorker(overrides: Parameters<typeof startTestWorker>[1] = {}): { readonly model: ModelServer; readonly worker: TestWorker } {
  let model: ModelServer | undefined;
  let worker: TestWorker | undefined;
  beforeAll(async () => {
    model = await startModelServer({ port: 0 });
    worker = startTestWorker(model.url, overrides);
  });
  afterAll(async () => {
    await worker?.close();
    await model?.close();
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
