// The warm pool against real Docker and Redis (worker/sandbox/warm-pool.ts): a warm sandbox is hardened
// exactly like a fresh one, sees its attempt's environment, goes to one attempt only, and the reaper keeps
// what a live worker's pool holds and removes the rest.
import { createShellSession, SHELL_LAUNCHER, type ShellSession } from "@/worker/agent/tools/shell-session";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type Docker from "dockerode";
import type { Redis } from "ioredis";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createRedis } from "@/lib/queue/connection";
import { createTask } from "@/lib/tasks/create-task";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { startModelServer, type ModelServer } from "@/scripts/model-server/server";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { workerHeartbeatKey } from "@/lib/queue/contracts";
import { clampLimits } from "@/worker/sandbox/container-template";
import { createDockerDriver } from "@/worker/sandbox/docker-driver";
import type { SandboxDriver, SandboxHandle, SandboxSpec } from "@/worker/sandbox/driver";
import { LABEL_ATTEMPT, LABEL_INSTANCE, LABEL_WARM } from "@/worker/sandbox/labels";
import { reapOrphans } from "@/worker/sandbox/reaper";
import { containerExists, sandboxSpec, testId, volumeExists } from "@/test/support/sandbox";
import { containersOf, createUser, docker, startTestWorker, TEST_SANDBOX_IMAGE, waitForFinishedAttempt } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";

// Its own installation id: nothing here is judged together with other test files' sandboxes.
const instanceId = `warm-pool-test-${process.pid}`;
const limits = clampLimits(512, 1);
const attempts: string[] = [];
const drivers: SandboxDriver[] = [];
let redis: Redis;
let model: ModelServer | undefined;

function pooledDriver(workerId: string, size = 1): SandboxDriver {
  const driver = createDockerDriver(docker, {
    allowedImages: [TEST_SANDBOX_IMAGE],
    warmPool: {
      size,
      identity: { instanceId, workerId, image: TEST_SANDBOX_IMAGE, limits },
      startedProcess: SHELL_LAUNCHER,
      onError: (error) => {
        throw error;
      },
    },
  });
  drivers.push(driver);
  return driver;
}

function specFor(workerId: string, overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  const spec = sandboxSpec({
    instanceId,
    workerId,
    limits,
    env: { GREETING: "hello from the environment", PATH: "/opt/custom/bin:/usr/bin:/bin" },
    ...overrides,
  });
  attempts.push(spec.attemptId);
  return spec;
}

async function warmContainers(workerId?: string): Promise<Docker.ContainerInfo[]> {
  const label = [`${LABEL_INSTANCE}=${instanceId}`, `${LABEL_WARM}=true`];
  const all = await docker.listContainers({ all: true, filters: { label } });
  return workerId ? all.filter((info) => info.Labels["patchbay.worker-id"] === workerId) : all;
}

async function asyncFilter(names: string[], keep: (name: string) => Promise<boolean>): Promise<string[]> {
  const kept = await Promise.all(names.map(keep));
  return names.filter((_, index) => kept[index]);
}

async function shellEnv(driver: SandboxDriver, handle: SandboxHandle): Promise<Record<string, string>> {
  const result = await driver.exec(handle, ["env"], { timeoutSec: 20, maxOutputBytes: 64 * 1024 });
  const entries = result.stdout
    .toString()
    .trim()
    .split("\n")
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const)
    // Per container or per exec by nature.
    .filter(([name]) => name !== "HOSTNAME" && name !== "PATCHBAY_EXEC");
  return Object.fromEntries(entries);
}

beforeAll(() => {
  redis = createRedis(process.env.REDIS_URL ?? "", "client");
});

afterAll(async () => {
  for (const driver of drivers) await driver.warm?.drain().catch(() => undefined);
  const plain = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
  for (const attemptId of attempts) await plain.destroy(attemptId).catch(() => undefined);
  // Whatever a test left on purpose (another worker's pool).
  await reapOrphans({ docker, redis, instanceId, workerId: "warm-pool-cleanup", active: new Map() }).catch(() => undefined);
  redis?.disconnect();
  await model?.close();
});

describe("warm pool", () => {
  it("hands out a sandbox hardened exactly like a fresh one, with the attempt's environment, then makes a new one", async () => {
    const workerId = testId("warm-worker-");
    const driver = pooledDriver(workerId);
    await driver.warm?.fill();
    expect(driver.warm?.readyCount()).toBe(1);
    const [ready] = await warmContainers(workerId);
    expect(ready?.State).toBe("running");

    const warmSpec = specFor(workerId);
    await driver.prepareWorkspace(warmSpec);
    const warmHandle = await driver.ensure(warmSpec);
    expect(warmHandle.containerId).toBe(ready?.Id);

    const freshSpec = specFor(workerId);
    const fresh = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
    await fresh.prepareWorkspace(freshSpec);
    const freshHandle = await fresh.ensure(freshSpec);

    const [warmInfo, freshInfo] = await Promise.all([
      docker.getContainer(warmHandle.containerId).inspect(),
      docker.getContainer(freshHandle.containerId).inspect(),
    ]);
    // Everything but the volumes' names is the same: the one template, the same limits.
    const comparable = (info: Docker.ContainerInspectInfo) => ({
      ...info.HostConfig,
      Mounts: info.HostConfig.Mounts?.map((mount) => ({ ...mount, Source: "volume" })),
    });
    expect(comparable(warmInfo)).toEqual(comparable(freshInfo));
    expect(warmInfo.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(warmInfo.HostConfig.ReadonlyRootfs).toBe(true);
    expect(warmInfo.HostConfig.NetworkMode).toBe("none");
    for (const field of ["User", "Entrypoint", "Cmd", "WorkingDir"] as const) expect(warmInfo.Config[field]).toEqual(freshInfo.Config[field]);

    // The environment's variables reach its processes as they reach a fresh container's, PATH included.
    const [warmEnv, freshEnv] = await Promise.all([shellEnv(driver, warmHandle), shellEnv(fresh, freshHandle)]);
    expect(warmEnv).toEqual(freshEnv);
    expect(warmEnv.GREETING).toBe("hello from the environment");
    expect(warmEnv.PATH).toBe("/opt/custom/bin:/usr/bin:/bin");

    // Its workspace and home start as a fresh sandbox's do; the workspace is the attempt's, which a sandbox
    // sharing it (the result preview) sees.
    const listing = async (sandboxDriver: SandboxDriver, handle: SandboxHandle) =>
      (await sandboxDriver.exec(handle, ["bash", "-c", "ls -lAn /workspace /home/agent"], { timeoutSec: 20, maxOutputBytes: 64 * 1024 })).stdout.toString();
    expect(await listing(driver, warmHandle)).toEqual(await listing(fresh, freshHandle));
    expect(await listing(driver, warmHandle)).toContain("/workspace:\ntotal 0\n");
    await driver.exec(warmHandle, ["bash", "-c", "echo hi > /workspace/mark"], { timeoutSec: 20, maxOutputBytes: 4096 });
    const preview = await driver.ensure({ ...warmSpec, role: "preview-result", env: {} });
    const seen = await driver.exec(preview, ["cat", "/workspace/mark"], { timeoutSec: 20, maxOutputBytes: 4096 });
    expect(seen.stdout.toString().trim()).toBe("hi");

    // Taking one does not refill (the attempt asks once its workspace is loaded); asked, the pool makes a new
    // sandbox, and the taken one is never offered again.
    expect(driver.warm?.readyCount()).toBe(0);
    await driver.warm?.fill();
    expect(driver.warm?.readyCount()).toBe(1);
    const [next] = await warmContainers(workerId).then((infos) => infos.filter((info) => info.Id !== warmHandle.containerId));
    expect(next?.Id).toBeDefined();
    expect(next?.Labels[LABEL_ATTEMPT]).not.toBe(ready?.Labels[LABEL_ATTEMPT]);

    // The attempt's end removes the warm sandbox it took, volumes included.
    const volumes = warmInfo.Mounts.map((mount) => mount.Name ?? "");
    await driver.destroy(warmSpec.attemptId);
    expect(await containerExists(warmHandle.containerId)).toBe(false);
    for (const name of volumes) expect(await volumeExists(name), name).toBe(false);
  });

  it("a retry in a warm sandbox runs at once; its predecessor's containers and volumes go before it makes any other container", async () => {
    const workerId = testId("warm-worker-");
    const spec = specFor(workerId);
    // The predecessor: a worker without a pool that stopped mid-attempt, leaving its agent, a result preview
    // (it mounts the workspace) and the volumes.
    const dead = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
    await dead.prepareWorkspace(spec);
    const oldAgent = await dead.ensure(spec);
    const oldPreview = await dead.ensure({ ...spec, role: "preview-result", env: {} });
    const oldVolumes = [`patchbay-ws-${spec.attemptId}`, `patchbay-home-${spec.attemptId}`];
    for (const name of oldVolumes) expect(await volumeExists(name), name).toBe(true);

    const driver = pooledDriver(workerId);
    await driver.warm?.fill();
    const [ready] = await warmContainers(workerId);
    await driver.prepareWorkspace(spec);
    const handle = await driver.ensure(spec);
    expect(handle.containerId).toBe(ready?.Id);
    expect((await driver.exec(handle, ["bash", "-c", "ls -A /workspace"], { timeoutSec: 20, maxOutputBytes: 4096 })).stdout.toString()).toBe("");

    // The next container of the attempt is made only once the predecessor is gone, and shares the warm workspace.
    const preview = await driver.ensure({ ...spec, role: "preview-result", env: {} });
    expect(await containerExists(oldAgent.containerId)).toBe(false);
    expect(await containerExists(oldPreview.containerId)).toBe(false);
    for (const name of oldVolumes) expect(await volumeExists(name), name).toBe(false);
    const previewMounts = (await docker.getContainer(preview.containerId).inspect()).Mounts.map((mount) => mount.Name);
    expect(previewMounts).toContain(ready?.Mounts.find((mount) => mount.Destination === "/workspace")?.Name);
    // The warm container carries the attempt's agent name, and goes with the attempt.
    expect((await docker.getContainer(handle.containerId).inspect()).Name).toBe(`/patchbay-${spec.attemptId}`);
    await driver.destroy(spec.attemptId);
    expect(await containerExists(handle.containerId)).toBe(false);
    expect(await containerExists(preview.containerId)).toBe(false);
  });

  it("starts the attempt's shell with the sandbox: a fresh shell's environment, no exec of its own, and after a kill a new session with its state", async () => {
    const workerId = testId("warm-worker-");
    const driver = pooledDriver(workerId);
    await driver.warm?.fill();
    const warmSpec = specFor(workerId);
    await driver.prepareWorkspace(warmSpec);
    const warmHandle = await driver.ensure(warmSpec);
    const fresh = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
    const freshSpec = specFor(workerId);
    await fresh.prepareWorkspace(freshSpec);
    const freshHandle = await fresh.ensure(freshSpec);
    const warmShell = createShellSession(driver, warmHandle);
    const freshShell = createShellSession(fresh, freshHandle);
    const run = (shell: ShellSession, command: string, timeoutSec = 20) => shell.run(command, "", { timeoutSec, maxOutputBytes: 64 * 1024 });
    const shellEnv = async (shell: ShellSession) => {
      const lines = (await run(shell, "env")).stdout.toString().trim().split("\n");
      // Per container or per process by nature.
      return lines.filter((line) => !/^(HOSTNAME|PATCHBAY_EXEC)=/.test(line)).sort();
    };
    try {
      const execsBefore = (await docker.getContainer(warmHandle.containerId).inspect()).ExecIDs ?? [];
      expect(execsBefore).toHaveLength(1);
      const [warmEnv, freshEnv] = await Promise.all([shellEnv(warmShell), shellEnv(freshShell)]);
      // The one exec is the process the pool started: the session needed none of its own.
      expect((await docker.getContainer(warmHandle.containerId).inspect()).ExecIDs).toEqual(execsBefore);
      expect(warmEnv).toEqual(freshEnv);
      expect(warmEnv).toContain("GREETING=hello from the environment");
      expect(warmEnv).toContain("PATH=/opt/custom/bin:/usr/bin:/bin");
      expect(warmEnv).toContain("SHLVL=1");

      expect((await run(warmShell, "mkdir -p /workspace/kept && cd /workspace/kept && export KEPT=yes")).exitCode).toBe(0);
      expect((await run(warmShell, "sleep 60", 1)).timedOut).toBe(true);
      const after = await run(warmShell, 'pwd; echo "$KEPT"');
      expect(after.stdout.toString()).toBe("/workspace/kept\nyes\n");
      const restored = [...freshEnv.filter((line) => !line.startsWith("PWD=")), "PWD=/workspace/kept", "KEPT=yes"].sort();
      expect(await shellEnv(warmShell)).toEqual(restored);
    } finally {
      await warmShell.close();
      await freshShell.close();
      await driver.destroy(warmSpec.attemptId);
      await fresh.destroy(freshSpec.attemptId);
    }
  });

  it("gives an agent that needs a network a container of its own on the warm volumes", async () => {
    const workerId = testId("warm-worker-");
    const driver = pooledDriver(workerId);
    await driver.warm?.fill();
    const [ready] = await warmContainers(workerId);
    const spec = specFor(workerId);
    await driver.prepareWorkspace(spec);
    const network = await driver.ensureNetwork(spec);
    const handle = await driver.ensure({ ...spec, network });

    expect(handle.containerId).not.toBe(ready?.Id);
    expect(await containerExists(ready?.Id ?? "")).toBe(false);
    const info = await docker.getContainer(handle.containerId).inspect();
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([network]);
    const readyVolumes = ready?.Mounts.map((mount) => mount.Name).sort();
    expect(info.Mounts.map((mount) => mount.Name).sort()).toEqual(readyVolumes);
    await driver.destroy(spec.attemptId);
    for (const name of readyVolumes ?? []) expect(await volumeExists(name ?? ""), name).toBe(false);
  });

  it("a cached workspace is never a warm one: restoring a setup cache makes the attempt's own volumes", async () => {
    const workerId = testId("warm-worker-");
    const driver = pooledDriver(workerId);
    await driver.warm?.fill();
    const source = specFor(workerId);
    await createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] }).prepareWorkspace(source);
    const spec = specFor(workerId);
    await driver.prepareWorkspace(spec, { workspace: `patchbay-ws-${source.attemptId}`, home: `patchbay-home-${source.attemptId}` });
    expect(driver.warm?.readyCount()).toBe(1);
    const handle = await driver.ensure(spec);
    const [ready] = await warmContainers(workerId);
    expect(handle.containerId).not.toBe(ready?.Id);
    expect(handle.env).toBeUndefined();
  });

  it("the reaper keeps a live worker's warm sandboxes and removes a stopped worker's and its own leftovers", async () => {
    const liveWorker = testId("warm-live-");
    const deadWorker = testId("warm-dead-");
    const self = testId("warm-self-");
    const live = pooledDriver(liveWorker);
    const dead = pooledDriver(deadWorker);
    const earlier = pooledDriver(self);
    await Promise.all([live.warm?.fill(), dead.warm?.fill(), earlier.warm?.fill()]);
    await redis.set(workerHeartbeatKey(liveWorker), String(Date.now()), "EX", 120);
    await redis.del(workerHeartbeatKey(deadWorker));
    // A sandbox of this worker's that its pool no longer holds: left by an earlier run of the same worker.
    const [leftover] = await warmContainers(self);
    const restarted = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });

    await reapOrphans({ docker, redis, instanceId, workerId: self, active: new Map(), warm: restarted.warm });
    expect(await warmContainers(liveWorker)).toHaveLength(1);
    expect(await warmContainers(deadWorker)).toHaveLength(0);
    expect(await containerExists(leftover?.Id ?? "")).toBe(false);
    for (const mount of leftover?.Mounts ?? []) expect(await volumeExists(mount.Name ?? "")).toBe(false);

    // While its pool holds it, a worker's own warm sandbox stays.
    const own = pooledDriver(self);
    await own.warm?.fill();
    await reapOrphans({ docker, redis, instanceId, workerId: self, active: new Map(), warm: own.warm });
    expect(await warmContainers(self)).toHaveLength(1);

    // Draining (the worker's shutdown) removes the ready ones.
    await own.warm?.drain();
    await live.warm?.drain();
    expect(await warmContainers(self)).toHaveLength(0);
    expect(await warmContainers(liveWorker)).toHaveLength(0);
    await redis.del(workerHeartbeatKey(liveWorker));
  });

  it("runs a real task in a warm sandbox: the environment's variables and the checkout are there, and nothing is left", async () => {
    model = await startModelServer({ port: 0 });
    model.registerScript("warm-pool-task", {
      description: "warm pool: one command that shows the environment and the checkout",
      steps: [{ calls: [{ name: "shell", arguments: { command: 'echo "greeting=$GREETING"; git log --format=%s -1;' } }] }, { say: "done" }],
    });
    const workerId = testId("warm-task-worker-");
    const driver = pooledDriver(workerId);
    await driver.warm?.fill();
    const [ready] = await warmContainers(workerId);
    const worker = startTestWorker(model.url, { instanceId, workerId, driver, limits });
    try {
      const user = await createUser();
      const repo = createFixtureRepo();
      const environment = await createEnvironment(user.id, { name: "warm", repoUrl: repo.url, env: { GREETING: "hi from the environment" } });
      const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:warm-pool-task]] show me" });
      attempts.push(task.attemptId);
      // The attempt's agent container is the warm one, renamed after the attempt while it runs.
      await waitFor(
        "the attempt to take the warm sandbox",
        async () => ((await containersOf(task.attemptId)).some((info) => info.Id === ready?.Id) ? true : null),
        60_000,
      );
      const attempt = await waitForFinishedAttempt(task.attemptId);
      expect(attempt.status).toBe("completed");
      const output = (await listTaskEvents(task.id, 0n)).flatMap((event) => (event.type === "tool.output" ? [event.payload.chunk] : [])).join("");
      expect(output).toContain("greeting=hi from the environment\ninitial\n");
      // The attempt's end removes the container, then its volumes: wait for the whole of it.
      const volumes = (ready?.Mounts ?? []).map((mount) => mount.Name ?? "");
      expect(volumes).toHaveLength(2);
      const left = async () => [...((await containerExists(ready?.Id ?? "")) ? ["container"] : []), ...(await asyncFilter(volumes, volumeExists))];
      await waitFor("the warm sandbox and its volumes to be removed with its attempt", async () => ((await left()).length === 0 ? true : null), 60_000);
      // The attempt asked for the refill once its workspace was loaded: the pool holds a new sandbox.
      await waitFor("the pool to refill", async () => (driver.warm?.readyCount() === 1 ? true : null), 60_000);
      const refilled = await warmContainers(workerId);
      expect(refilled.map((info) => info.Id)).not.toContain(ready?.Id);
    } finally {
      await worker.close();
      await driver.warm?.drain();
    }
  });
});
