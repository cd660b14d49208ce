// Workspace size caps with a real Docker engine and real loop devices: writing past the cap fails inside
// the sandbox with "No space left on device", the host keeps its disk, and removing the sandbox frees
// the loop device and the image file; a setup that fills the cap fails the task with that message.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createSetupCheck } from "@/lib/tasks/create-setup-check";
import { getTask } from "@/lib/tasks/task-queries";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { sandboxSpec } from "@/test/support/sandbox";
import { createUser, docker, startTestWorker, TEST_SANDBOX_IMAGE, waitForFinishedAttempt, type TestWorker } from "@/test/support/test-worker";
import { createDockerDriver } from "./docker-driver";
import { homeVolumeName, workspaceVolumeName } from "./labels";
import { createWorkspaceDisk, LABEL_DISK_IMAGE, parseSize, type WorkspaceDisk } from "./workspace-disk";

const CAP = parseSize("64m");
let disk: WorkspaceDisk;
let dir: string;

function attachedLoops(image: string): string {
  return execFileSync("losetup", ["-j", image], { encoding: "utf8" }).trim();
}

beforeAll(async () => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-disk-")), "workspaces");
  const created = await createWorkspaceDisk({ dir, sizeBytes: CAP });
  if ("unavailable" in created) throw new Error(`workspace caps need root and losetup here: ${created.unavailable}`);
  disk = created;
});

describe("workspace size caps", () => {
  it("parses sizes", () => {
    expect(parseSize("10g")).toBe(10 * 1024 ** 3);
    expect(parseSize("512M")).toBe(512 * 1024 ** 2);
    expect(parseSize("0")).toBe(0);
    expect(() => parseSize("ten")).toThrow(/not a size/);
  });

  it("stops writes past the cap inside the sandbox and frees everything when the sandbox goes", async () => {
    const driver = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE], workspaceDisk: disk });
    const spec = sandboxSpec();
    try {
      await driver.prepareWorkspace(spec);
      const sandbox = await driver.ensure(spec);
      const volume = await docker.getVolume(workspaceVolumeName(spec.attemptId)).inspect();
      const image = volume.Labels?.[LABEL_DISK_IMAGE] ?? "";
      expect(image.startsWith(dir)).toBe(true);
      expect(attachedLoops(image)).toMatch(/^\/dev\/loop\d+/);

      const fill = await driver.exec(
        sandbox,
        [
          "bash",
          "-c",
          "dd if=/dev/zero of=/workspace/big bs=1M count=100 2>&1; echo exit=$?; ls -A /workspace; dd if=/dev/zero of=$HOME/big bs=1M count=100 2>&1 | tail -n 1",
        ],
        {
          timeoutSec: 60,
          maxOutputBytes: 64 * 1024,
        },
      );
      const output = fill.stdout.toString();
      expect(output).toContain("No space left on device");
      expect(output).toMatch(/exit=1\nbig\n/);
      // The home is capped too.
      expect(output.trim().split("\n").at(-1)).toMatch(/No space left on device|copied/);
      const home = await docker.getVolume(homeVolumeName(spec.attemptId)).inspect();
      expect(home.Labels?.[LABEL_DISK_IMAGE]).toBeTruthy();

      await driver.destroy(spec.attemptId);
      expect(attachedLoops(image)).toBe("");
      expect(existsSync(image)).toBe(false);
    } finally {
      await driver.destroy(spec.attemptId).catch(() => undefined);
    }
  });
});

describe("a setup that fills the workspace", () => {
  let worker: TestWorker;
  beforeAll(() => {
    worker = startTestWorker(null, { driver: createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE], workspaceDisk: disk }) });
  });
  afterAll(() => worker.close());

  it("fails the task saying the disk is full", async () => {
    const userId = (await createUser()).id;
    const repo = createFixtureRepo();
    const environment = await createEnvironment(userId, { name: "disk", repoUrl: repo.url, setupScript: "dd if=/dev/zero of=huge.bin bs=1M count=200" });
    const created = await createSetupCheck(userId, environment.id);
    await waitForFinishedAttempt(created.attemptId, 120_000);
    const task = await getTask(userId, created.id);
    expect(task.status).toBe("failed");
    expect(task.attempt?.error).toMatch(/The setup script failed with exit code 1\./);
    expect(task.attempt?.error).toContain("No space left on device");
  });
});
