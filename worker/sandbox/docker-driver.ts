// The Docker implementation of SandboxDriver: the only module that creates containers (docs/security.md §2).
import { randomBytes } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import Docker from "dockerode";
import { AppError } from "@/lib/errors";
import type { WorkspaceDisk } from "./workspace-disk";
import { LABEL_LAYER_LOWER, type LayeredVolumes, releaseVolumeStorage } from "./layered-volumes";
import { attemptVolumes, buildContainerOptions, environmentVariables, PROXY_PORT, SANDBOX_USER, sandboxName, WORKSPACE_DIR } from "./container-template";
import { createWarmPool, type WarmSandbox } from "./warm-pool";
import {
  hasOwnCheckout,
  sharesAgentWorkspace,
  type CacheVolumes,
  type ExecOptions,
  type ExecResult,
  type NetworkSpec,
  type SandboxDriver,
  type SandboxHandle,
  type SandboxLimits,
  type SandboxSpec,
  type SpawnedProcess,
  type SpawnOptions,
} from "./driver";
import {
  bridgeName,
  containerName,
  egressNetworkName,
  LABEL_ATTEMPT,
  LABEL_INSTANCE,
  LABEL_MANAGED,
  LABEL_WARM,
  networkName,
  OUTBOUND_NETWORK,
  sandboxLabels,
  workspaceVolumeName,
} from "./labels";

/** Extra time past the in-container timeout before the worker gives up on an exec and kills the sandbox. */
const EXEC_GRACE_MS = 15_000;
const DOCKER_PING_TIMEOUT_MS = 5_000;
/** Env var that tags each exec's processes, so a second exec can find and kill them (see killExec). */
const EXEC_TAG_VAR = "PATCHBAY_EXEC";
const COPY_TIMEOUT_SEC = 900;
const PROXY_READY_TIMEOUT_MS = 30_000;

// Saving a setup result: only untracked and ignored files of the workspace (node_modules, .venv, build
// output); tracked files come from each later task's own commit, so nothing of an older commit leaks.
const SAVE_CACHE_SCRIPT = `set -euo pipefail
cd /copy/from/workspace
git ls-files -z --others --directory | tar --null -T - -cf - | tar -C /workspace -xf -
cp -a /copy/from/home/. /home/agent/
du -sb /workspace /home/agent | awk '{ total += $1 } END { print total }'`;
const RESTORE_CACHE_SCRIPT = `set -euo pipefail
cp -a /copy/from/workspace/. /workspace/
if [ -d /copy/from/home ]; then cp -a /copy/from/home/. /home/agent/; fi`;

/** Docker options for a Patchbay network: its bridge is named pb-…, which the host firewall keys on. */
function networkOptions(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "com.docker.network.bridge.name": bridgeName(name), ...extra };
}

export function createDocker(socketPath: string): Docker {
  return new Docker({ socketPath, timeout: 60_000 });
}

export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { statusCode?: number }).statusCode === 404;
}

export async function pingDocker(docker: Docker): Promise<void> {
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 5 s")), DOCKER_PING_TIMEOUT_MS))]);
  } catch (error) {
    throw new AppError(
      "sandbox_error",
      `The Docker engine is not reachable (${(error as Error).message}). Start Docker on the worker host (npm start does it) and retry the task.`,
      { retryable: true, cause: error },
    );
  }
}

export type DockerDriverOptions = {
  allowedImages: readonly string[];
  /**
   * When the worker itself runs in a container (docker-compose), its container id: it joins each
   * attempt's preview network so its browser can reach the preview. Unset when it runs on the host.
   */
  workerContainer?: string;
  /** Size caps for workspace and home volumes; absent where the worker cannot attach loop devices. */
  workspaceDisk?: WorkspaceDisk;
  /** Copy-on-write restores of setup caches; absent where the worker cannot prepare overlay layers. */
  layers?: LayeredVolumes;
  /**
   * Keep `size` agent sandboxes ready for this worker's image and limits (warm-pool.ts); filled once
   * `warm.fill()` is called. Absent or 0: every attempt creates its own.
   */
  warmPool?: {
    size: number;
    identity: { instanceId: string; workerId: string; image: string; limits: SandboxLimits };
    /**
     * A process each warm sandbox starts with, as the agent user with no variables of an environment yet,
     * and hands to its attempt (adoptStarted): the agent shell's launcher, so the attempt's first command
     * does not wait for a `docker exec` to start.
     */
    startedProcess?: string[];
    onError(error: unknown): void;
  };
};

/** How long a warm sandbox's expires-at label says it may live; the reaper goes by its worker's heartbeat. */
const WARM_EXPIRES_MS = 7 * 24 * 3600_000;

export function createDockerDriver(docker: Docker, options: DockerDriverOptions): SandboxDriver {
  // Copy sandboxes whose work is done are removed off the critical path (restoreCache). Anything that
  // removes or replaces a container waits for those first, so two removals of one container never race
  // and no volume is still held by one when it is removed.
  const removing = new Map<string, Promise<void>>();
  // Attempts that took a warm sandbox: their workspace and home are its volumes, and its container is their
  // agent container until they need one with a network (the warm one has none).
  const claimed = new Map<string, WarmSandbox & { handedOut: boolean }>();

  function volumesOf(attemptId: string): CacheVolumes {
    return claimed.get(attemptId)?.volumes ?? attemptVolumes(attemptId);
  }

  /** The attempt's warm sandbox goes: container and volumes (a retry, or the attempt's end). */
  async function dropClaim(attemptId: string): Promise<void> {
    const sandbox = claimed.get(attemptId);
    if (!sandbox) return;
    claimed.delete(attemptId);
    startedProcesses.delete(sandbox.poolId);
    await removeContainer(sandbox.containerId);
    for (const name of [sandbox.volumes.workspace, sandbox.volumes.home]) await removeVolume(name);
    warm?.forget(sandbox.poolId);
  }

  /**
   * Containers holding the attempt's old volumes go first (a retry replaces its predecessor, files
   * included): every container of the attempt, since a preview of the result mounts its workspace too, and
   * the agent's by name (a warm sandbox it took carries the pool's labels) unless the name is already this
   * attempt's own warm sandbox's. Then those volumes.
   */
  async function removePredecessors(attemptId: string, agentByName: boolean): Promise<void> {
    const predecessors = await docker.listContainers({ all: true, filters: { label: [`${LABEL_ATTEMPT}=${attemptId}`] } });
    const agentName = containerName(attemptId);
    const byName = agentByName && !predecessors.some((info) => info.Names.includes(`/${agentName}`));
    await Promise.all([...predecessors.map((info) => removeContainer(info.Id)), ...(byName ? [removeContainer(agentName)] : [])]);
    const old = attemptVolumes(attemptId);
    await Promise.all([old.workspace, old.home].map((name) => removeVolume(name)));
  }

  // Attempts that took a warm sandbox whose rename and predecessor removal (settleClaim) have not finished:
  // not started yet (a function), or under way. Every method that makes, replaces or removes any of the
  // attempt's containers, volumes or networks waits for it first (settled); only the warm sandbox's own
  // ensure and its first process do not.
  const unsettled = new Map<string, (() => Promise<void>) | Promise<void>>();

  /**
   * A warm sandbox's labels name the pool (they cannot change); its name becomes the attempt's agent
   * container's, so `docker ps` and anything looking for the attempt's containers by name find it. A
   * predecessor's containers and volumes go too. Neither is needed for the attempt's first command, and
   * a rename holds the container's lock in the engine, which would delay that command's exec: both start
   * once the attempt's first process in the sandbox has (or when something needs them done). The warm
   * container is addressed by its id meanwhile.
   */
  function settleClaim(attemptId: string, sandbox: WarmSandbox): void {
    unsettled.set(attemptId, async () => {
      const name = containerName(attemptId);
      const claim = claimed.get(attemptId);
      if ((await renameWarmSandbox(sandbox, name)) && claim) claim.name = name;
      // The warm sandbox carries the pool's labels, so the label filter never lists it; a predecessor that
      // held the name was removed by the rename.
      await removePredecessors(attemptId, false);
    });
  }

  /** Starts the attempt's settleClaim work if it has not started; resolves when it is done. */
  function settled(attemptId: string): Promise<void> {
    const entry = unsettled.get(attemptId);
    if (!entry) return Promise.resolve();
    if (typeof entry !== "function") return entry;
    const work = entry()
      // What could not go now goes with the attempt (destroy removes everything carrying its label).
      .catch(() => undefined)
      .finally(() => {
        if (unsettled.get(attemptId) === work) unsettled.delete(attemptId);
      });
    unsettled.set(attemptId, work);
    return work;
  }

  /** Renames a warm sandbox after its attempt; a predecessor holding the name (a retry) is removed first. */
  async function renameWarmSandbox(sandbox: WarmSandbox, name: string): Promise<boolean> {
    const rename = () => docker.getContainer(sandbox.containerId).rename({ name });
    try {
      await rename();
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) return false;
    }
    await removeContainer(name);
    return rename().then(
      () => true,
      () => false,
    );
  }

  function removeInBackground(name: string): void {
    const removal = removeContainer(name)
      .catch(() => undefined)
      .finally(() => removing.delete(name));
    removing.set(name, removal);
  }

  async function removeContainer(name: string): Promise<void> {
    await removing.get(name);
    try {
      await docker.getContainer(name).remove({ force: true, v: false });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async function removeNetwork(name: string): Promise<void> {
    try {
      if (options.workerContainer)
        await docker
          .getNetwork(name)
          .disconnect({ Container: options.workerContainer, Force: true })
          .catch(() => undefined);
      await docker.getNetwork(name).remove();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async function removeVolume(name: string): Promise<void> {
    // A copy sandbox still being removed may hold it.
    await Promise.all(removing.values());
    try {
      const labels = options.workspaceDisk || options.layers ? (await docker.getVolume(name).inspect()).Labels : null;
      // Docker does not know that a layered volume shows another one: keep every lower layer in use.
      if (options.layers && (await docker.listVolumes({ filters: { label: [`${LABEL_LAYER_LOWER}=${name}`] } })).Volumes?.length) {
        throw new AppError("sandbox_error", `Volume ${name} is still the lower layer of an attempt's workspace.`);
      }
      await docker.getVolume(name).remove({ force: true });
      await releaseVolumeStorage(labels, options);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** A volume a sandbox writes to: size-capped when the worker can do it (see workspace-disk.ts). */
  async function createSandboxVolume(name: string, labels: Record<string, string>): Promise<void> {
    if (!options.workspaceDisk) {
      await docker.createVolume({ Name: name, Labels: labels });
      return;
    }
    const disk = await options.workspaceDisk.create(name);
    try {
      await docker.createVolume({ Name: name, Driver: "local", DriverOpts: disk.driverOpts, Labels: { ...labels, ...disk.labels } });
    } catch (error) {
      await options.workspaceDisk.release(disk.labels);
      throw error;
    }
  }

  async function ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    try {
      await docker.getVolume(name).inspect();
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await createSandboxVolume(name, labels);
    }
  }

  async function ensureOutboundNetwork(): Promise<void> {
    try {
      await docker.getNetwork(OUTBOUND_NETWORK).inspect();
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // Only proxies join it; they cannot talk to each other (no inter-container traffic).
      await docker
        .createNetwork({
          Name: OUTBOUND_NETWORK,
          Driver: "bridge",
          CheckDuplicate: true,
          Options: networkOptions(OUTBOUND_NETWORK, { "com.docker.network.bridge.enable_icc": "false" }),
        })
        .catch((createError: unknown) => {
          // Another worker created it at the same moment.
          if ((createError as { statusCode?: number }).statusCode !== 409) throw createError;
        });
    }
  }

  /** Runs `script` in a short-lived, networkless "copy" sandbox holding both sets of volumes. */
  async function copyVolumes(
    spec: SandboxSpec,
    from: CacheVolumes,
    to: { workspace: string; home?: string },
    script: string,
    removal: "wait" | "background" = "wait",
  ): Promise<string> {
    const handle = await driver.ensure({ ...spec, role: "copy", network: null, copy: { from, to } });
    let done = false;
    try {
      const result = await driver.exec(handle, ["bash", "-c", script], { timeoutSec: COPY_TIMEOUT_SEC, maxOutputBytes: 64 * 1024 });
      if (result.exitCode !== 0) {
        throw new AppError("sandbox_error", `Copying the setup cache failed (exit ${result.exitCode}): ${result.stderr.toString().trim().slice(-800)}`);
      }
      done = true;
      return result.stdout.toString().trim();
    } finally {
      if (done && removal === "background") removeInBackground(handle.name);
      else await removeContainer(handle.name);
    }
  }

  /** One warm sandbox: an agent container and its volumes from the same template, labelled as the pool's. */
  async function makeWarmSandbox(poolId: string): Promise<WarmSandbox> {
    const identity = options.warmPool?.identity;
    if (!identity) throw new Error("no warm pool is configured");
    const spec: SandboxSpec = {
      ...identity,
      role: "agent",
      network: null,
      attemptId: poolId,
      taskId: poolId,
      expiresAt: new Date(Date.now() + WARM_EXPIRES_MS),
    };
    const labels = { ...sandboxLabels(spec), [LABEL_WARM]: "true" };
    const volumes = attemptVolumes(poolId);
    const sandbox = { poolId, image: spec.image, containerId: "", name: containerName(poolId), volumes };
    for (const name of [volumes.workspace, volumes.home]) await createSandboxVolume(name, labels);
    const createOptions = buildContainerOptions(spec, volumes);
    const container = await docker.createContainer({ ...createOptions, Labels: { ...createOptions.Labels, [LABEL_WARM]: "true" } });
    await container.start();
    const argv = options.warmPool?.startedProcess;
    if (argv) startedProcesses.set(poolId, await startRouted(container.id, argv));
    return { ...sandbox, containerId: container.id };
  }

  // Processes warm sandboxes started with (options.warmPool.startedProcess), by pool id, until adopted.
  const startedProcesses = new Map<string, { process: SpawnedProcess; running: () => boolean; route(onOutput: SpawnOptions["onOutput"]): void }>();

  /** A process whose output goes to whoever adopts it later; until then it is kept (there should be none). */
  async function startRouted(containerId: string, argv: string[]) {
    const early: [stream: "stdout" | "stderr", chunk: Buffer][] = [];
    let listener: SpawnOptions["onOutput"] | null = null;
    const process = await spawnIn(containerId, [], argv, {
      onOutput: (stream, chunk) => (listener ? listener(stream, chunk) : early.push([stream, chunk])),
    });
    let running = true;
    void process.exited.then(() => {
      running = false;
    });
    return {
      process,
      running: () => running,
      route(onOutput: SpawnOptions["onOutput"]) {
        listener = onOutput;
        for (const [stream, chunk] of early.splice(0)) onOutput(stream, chunk);
      },
    };
  }

  async function spawnIn(containerId: string, env: string[], argv: string[], spawnOptions: SpawnOptions): Promise<SpawnedProcess> {
    const container = docker.getContainer(containerId);
    const tag = randomBytes(8).toString("hex");
    const exec = await container.exec({
      Cmd: argv,
      Env: [...env, ...(spawnOptions.env ?? []), `${EXEC_TAG_VAR}=${tag}`],
      User: SANDBOX_USER,
      WorkingDir: WORKSPACE_DIR,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: true,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: true });
    const sink = (name: "stdout" | "stderr") => {
      const pass = new PassThrough();
      pass.on("data", (chunk: Buffer) => spawnOptions.onOutput(name, chunk));
      return pass;
    };
    docker.modem.demuxStream(stream, sink("stdout"), sink("stderr"));
    const ended = new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    const exited = ended.then(() => waitForExitCode(exec, 2_000).catch(() => null));
    return {
      write(data) {
        if (!stream.destroyed) stream.write(data);
      },
      async kill() {
        await killExec(container, tag);
        stream.destroy();
        await exited;
      },
      exited,
    };
  }

  const warm =
    options.warmPool && options.warmPool.size > 0 && options.allowedImages.includes(options.warmPool.identity.image)
      ? createWarmPool({
          size: options.warmPool.size,
          image: options.warmPool.identity.image,
          make: makeWarmSandbox,
          remove: async (sandbox) => {
            startedProcesses.delete(sandbox.poolId);
            await removeContainer(sandbox.name);
            for (const name of [sandbox.volumes.workspace, sandbox.volumes.home]) await removeVolume(name);
          },
          onError: options.warmPool.onError,
        })
      : null;

  const driver: SandboxDriver = {
    restoresByLayer: Boolean(options.layers),
    warm,

    async ensure(spec: SandboxSpec): Promise<SandboxHandle> {
      if (!options.allowedImages.includes(spec.image)) {
        throw new AppError("sandbox_error", `Sandbox image "${spec.image}" is not in PATCHBAY_SANDBOX_IMAGES.`);
      }
      const warmSandbox = spec.role === "agent" ? claimed.get(spec.attemptId) : undefined;
      if (warmSandbox && !warmSandbox.handedOut && spec.network === null && spec.image === warmSandbox.image) {
        // Already started, with the same template and limits: no Docker call at all.
        warmSandbox.handedOut = true;
        return { attemptId: spec.attemptId, role: "agent", containerId: warmSandbox.containerId, name: warmSandbox.name, env: environmentVariables(spec) };
      }
      // An agent with a network gets a container of its own on the warm sandbox's volumes.
      if (warmSandbox) await removeContainer(warmSandbox.containerId);
      // No container of the attempt is made while its predecessor's are still being removed.
      await settled(spec.attemptId);
      await pingDocker(docker);
      try {
        await docker.getImage(spec.image).inspect();
      } catch (error) {
        if (!isNotFound(error)) throw error;
        throw new AppError(
          "sandbox_error",
          `Sandbox image "${spec.image}" is missing on this worker host. Build it with scripts/setup/build-sandbox-image.sh (npm start does it).`,
        );
      }
      const name = sandboxName(spec);
      // A retried job replaces its predecessor, workspace included: the retry starts from a clean clone.
      await removeContainer(name);
      const volumes = volumesOf(spec.attemptId);
      if (spec.role === "agent") {
        await ensureVolume(volumes.workspace, sandboxLabels(spec));
        await ensureVolume(volumes.home, sandboxLabels(spec));
      } else if (sharesAgentWorkspace(spec.role)) {
        // Shares the agent's workspace: it must exist and must not be replaced.
        await docker.getVolume(volumes.workspace).inspect();
      } else if (hasOwnCheckout(spec.role)) {
        const volume = workspaceVolumeName(spec.attemptId, spec.role);
        await removeVolume(volume);
        if (spec.restoreFrom && options.layers) {
          await options.layers.create(volume, spec.restoreFrom.workspace, sandboxLabels(spec));
        } else {
          await createSandboxVolume(volume, sandboxLabels(spec));
          if (spec.restoreFrom) await copyVolumes(spec, spec.restoreFrom, { workspace: volume }, RESTORE_CACHE_SCRIPT);
        }
      }
      const container = await docker.createContainer(buildContainerOptions(spec, volumes));
      await container.start();
      return { attemptId: spec.attemptId, role: spec.role, containerId: container.id, name };
    },

    async prepareWorkspace(spec: SandboxSpec, from?: CacheVolumes): Promise<void> {
      await settled(spec.attemptId);
      await dropClaim(spec.attemptId);
      // Empty volumes and a started container are what a warm sandbox is: take one when it is ready. Its
      // volumes and container are the pool's, so nothing of a predecessor (this may be a retry) is in its
      // way: the rename and the predecessor's removal happen while the attempt goes on (settleClaim).
      const warmSandbox = from ? null : warm?.take(spec.image);
      if (warmSandbox) {
        claimed.set(spec.attemptId, { ...warmSandbox, handedOut: false });
        settleClaim(spec.attemptId, warmSandbox);
        return;
      }
      await pingDocker(docker);
      await removePredecessors(spec.attemptId, true);
      const to = attemptVolumes(spec.attemptId);
      if (from && options.layers) {
        await options.layers.create(to.workspace, from.workspace, sandboxLabels(spec));
        await options.layers.create(to.home, from.home, sandboxLabels(spec));
        return;
      }
      for (const name of [to.workspace, to.home]) await createSandboxVolume(name, sandboxLabels(spec));
      if (from) await copyVolumes(spec, from, to, RESTORE_CACHE_SCRIPT);
    },

    async restoreCache(spec: SandboxSpec, from: CacheVolumes): Promise<void> {
      await settled(spec.attemptId);
      // Runs while the agent's container starts; the copy sandbox's removal is not worth waiting for.
      await copyVolumes(spec, from, volumesOf(spec.attemptId), RESTORE_CACHE_SCRIPT, "background");
    },

    async saveCache(spec: SandboxSpec, target: CacheVolumes, labels: Record<string, string>): Promise<number> {
      await settled(spec.attemptId);
      await removeVolume(target.workspace);
      await removeVolume(target.home);
      for (const name of [target.workspace, target.home]) await docker.createVolume({ Name: name, Labels: labels });
      const from = volumesOf(spec.attemptId);
      const bytes = await copyVolumes(spec, from, target, SAVE_CACHE_SCRIPT);
      return Number.parseInt(bytes, 10) || 0;
    },

    async removeVolumes(names: string[]): Promise<void> {
      for (const name of names) await removeVolume(name);
    },

    async listVolumes(label: string): Promise<string[]> {
      const result = await docker.listVolumes({ filters: { label: [label] } });
      return (result.Volumes ?? []).map((volume) => volume.Name);
    },

    async startProxy(spec: SandboxSpec): Promise<{ handle: SandboxHandle; url: string; network: string }> {
      // A predecessor's containers may still be on the network it replaces.
      await settled(spec.attemptId);
      const network = egressNetworkName(spec.attemptId);
      await removeContainer(containerName(spec.attemptId, "proxy"));
      await removeNetwork(network);
      // Internal: the attempt's containers have no route out; the proxy, also on the outbound network,
      // is the only way to the registries.
      await docker.createNetwork({
        Name: network,
        Driver: "bridge",
        Internal: true,
        CheckDuplicate: true,
        Labels: sandboxLabels(spec),
        Options: networkOptions(network),
      });
      await ensureOutboundNetwork();
      const handle = await driver.ensure({ ...spec, role: "proxy", network });
      await docker.getNetwork(OUTBOUND_NETWORK).connect({ Container: handle.containerId });
      const ip = await driver.address(handle, network);
      const until = Date.now() + PROXY_READY_TIMEOUT_MS;
      for (;;) {
        const probe = await driver.exec(handle, ["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${PROXY_PORT}`], { timeoutSec: 5, maxOutputBytes: 4096 });
        if (probe.exitCode === 0) break;
        const state = await docker.getContainer(handle.containerId).inspect();
        if (!state.State.Running || Date.now() > until) {
          const logs = await driver
            .exec(handle, ["bash", "-c", "tail -n 20 /tmp/squid-cache.log 2>/dev/null"], { timeoutSec: 5, maxOutputBytes: 16 * 1024 })
            .catch(() => null);
          throw new AppError(
            "sandbox_error",
            `The egress proxy did not start within ${PROXY_READY_TIMEOUT_MS / 1000} s. ${logs?.stdout.toString().trim().slice(-800) ?? ""}`.trim(),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { handle, url: `http://${ip}:${PROXY_PORT}`, network };
    },

    async imageInfo(image: string): Promise<{ id: string; tools: Record<string, string> }> {
      const info = await docker.getImage(image).inspect();
      let tools: Record<string, string> = {};
      try {
        const parsed: unknown = JSON.parse(info.Config?.Labels?.["patchbay.tools"] ?? "{}");
        if (parsed && typeof parsed === "object") tools = Object.fromEntries(Object.entries(parsed).map(([name, version]) => [name, String(version)]));
      } catch {
        // An image built before tool versions were recorded: no versions to show.
      }
      return { id: info.Id, tools };
    },

    async ensureNetwork(spec: NetworkSpec): Promise<string> {
      await settled(spec.attemptId);
      const name = networkName(spec.attemptId);
      await removeNetwork(name);
      // Internal: no route off the bridge, so a preview can neither leak nor fetch; the host still
      // reaches containers at their addresses on it.
      const network = await docker.createNetwork({
        Name: name,
        Driver: "bridge",
        Internal: true,
        CheckDuplicate: true,
        Labels: sandboxLabels(spec),
        Options: networkOptions(name),
      });
      if (options.workerContainer) await network.connect({ Container: options.workerContainer });
      return name;
    },

    async address(handle: SandboxHandle, network: string): Promise<string> {
      const info = await docker.getContainer(handle.containerId).inspect();
      const ip = info.NetworkSettings.Networks[network]?.IPAddress;
      if (!ip) throw new AppError("sandbox_error", `The preview sandbox has no address on ${network}.`);
      return ip;
    },

    async pause(handle: SandboxHandle): Promise<void> {
      await docker.getContainer(handle.containerId).pause();
    },

    async unpause(handle: SandboxHandle): Promise<void> {
      await docker.getContainer(handle.containerId).unpause();
    },

    async release(handle: SandboxHandle, releaseOptions: { background?: boolean } = {}): Promise<void> {
      await settled(handle.attemptId);
      // A warm sandbox's handle was made before its rename, under the pool's name: its id is what lasts.
      const warmSandbox = claimed.get(handle.attemptId)?.containerId === handle.containerId;
      const name = warmSandbox ? handle.containerId : handle.name;
      if (releaseOptions.background) removeInBackground(name);
      else await removeContainer(name);
    },

    async exec(handle: SandboxHandle, argv: string[], execOptions: ExecOptions): Promise<ExecResult> {
      // An abort that came before this exec fires no "abort" event below; without this check a cancelled
      // attempt would still run (and wait for) its next command.
      if (execOptions.signal?.aborted) throw new AppError("cancelled", "Cancelled.");
      const started = Date.now();
      const container = docker.getContainer(handle.containerId);
      const withTimeout = ["timeout", "-k", "5", String(execOptions.timeoutSec), ...argv];
      const tag = randomBytes(8).toString("hex");
      const exec = await container.exec({
        Cmd: withTimeout,
        // Not a secret: only lets killExec find this exec's processes.
        Env: [...(handle.env ?? []), ...(execOptions.env ?? []), `${EXEC_TAG_VAR}=${tag}`],
        User: SANDBOX_USER,
        WorkingDir: execOptions.cwd ?? WORKSPACE_DIR,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: execOptions.stdin !== undefined,
        Tty: false,
      });
      const stream = await exec.start({ hijack: true, stdin: execOptions.stdin !== undefined });
      void settled(handle.attemptId);
      const collected = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
      let bytes = 0;
      let truncated = false;

      const sink = (name: "stdout" | "stderr") => {
        const pass = new PassThrough();
        pass.on("data", (chunk: Buffer) => {
          if (truncated) return;
          const room = execOptions.maxOutputBytes - bytes;
          const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
          bytes += kept.length;
          if (kept.length > 0) {
            collected[name].push(kept);
            execOptions.onOutput?.(name, kept);
          }
          if (chunk.length > room) {
            // Stop reading and stop the command. Closing the attach alone does not stop it: dockerd keeps
            // draining the exec's output, so `yes` would run (and burn CPU) until its timeout. Kill it
            // inside the container, so a command that prints gigabytes ends quickly.
            truncated = true;
            stream.destroy();
            void killExec(container, tag);
          }
        });
        return pass;
      };
      docker.modem.demuxStream(stream, sink("stdout"), sink("stderr"));

      if (execOptions.stdin !== undefined) {
        stream.write(execOptions.stdin);
        stream.end();
      }

      const deadlineMs = execOptions.timeoutSec * 1000 + EXEC_GRACE_MS;
      let onAbort: (() => void) | undefined;
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          stream.on("end", resolve);
          stream.on("close", resolve);
          stream.on("error", (error) => (truncated ? resolve() : reject(error)));
          timer = setTimeout(() => {
            reject(
              new AppError(
                "timeout",
                `A command did not finish ${Math.round(deadlineMs / 1000)} s after it started, even after its own timeout; the sandbox was stopped.`,
              ),
            );
          }, deadlineMs);
          onAbort = () => reject(new AppError("cancelled", "Cancelled."));
          execOptions.signal?.addEventListener("abort", onAbort, { once: true });
        });
      } catch (error) {
        stream.destroy();
        // The Engine API cannot kill an exec; past our deadline the whole sandbox goes.
        if (error instanceof AppError && error.code === "timeout") await container.kill().catch(() => undefined);
        throw error;
      } finally {
        if (timer) clearTimeout(timer);
        if (onAbort) execOptions.signal?.removeEventListener("abort", onAbort);
      }

      const exitCode = await waitForExitCode(exec, truncated ? 10_000 : 2_000);
      return {
        exitCode,
        stdout: Buffer.concat(collected.stdout),
        stderr: Buffer.concat(collected.stderr),
        truncated,
        // A truncated command was killed by us (137), not by its timeout; a 137 before the timeout is
        // another kill (the sandbox's memory limit), not a timeout either.
        timedOut: !truncated && (exitCode === 124 || (exitCode === 137 && Date.now() - started >= execOptions.timeoutSec * 1000)),
        durationMs: Date.now() - started,
      };
    },

    async spawn(handle: SandboxHandle, argv: string[], spawnOptions: SpawnOptions): Promise<SpawnedProcess> {
      const process = await spawnIn(handle.containerId, handle.env ?? [], argv, spawnOptions);
      void settled(handle.attemptId);
      return process;
    },

    adoptStarted(handle: SandboxHandle, onOutput: SpawnOptions["onOutput"]): SpawnedProcess | null {
      const claim = claimed.get(handle.attemptId);
      const entry = claim?.containerId === handle.containerId ? startedProcesses.get(claim.poolId) : undefined;
      if (!claim || !entry) return null;
      startedProcesses.delete(claim.poolId);
      if (!entry.running()) return null;
      entry.route(onOutput);
      void settled(handle.attemptId);
      return entry.process;
    },

    async putArchive(handle: SandboxHandle, tar: Readable, directory: string): Promise<void> {
      await docker.getContainer(handle.containerId).putArchive(tar, { path: directory });
    },

    async destroy(attemptId: string): Promise<void> {
      const filters = { label: [`${LABEL_ATTEMPT}=${attemptId}`] };
      await settled(attemptId);
      await Promise.all(removing.values());
      for (const info of await docker.listContainers({ all: true, filters })) await removeContainer(info.Id);
      // After the attempt's own containers: one of them may hold the warm sandbox's volumes.
      await dropClaim(attemptId);
      for (const volume of (await docker.listVolumes({ filters })).Volumes ?? []) await removeVolume(volume.Name);
      await removeNetwork(networkName(attemptId));
      await removeNetwork(egressNetworkName(attemptId));
    },
  };
  return driver;
}

// Kills every process carrying the exec's tag, and the process group it leads: `timeout` makes itself a
// group leader, so children that cleared their env go too. All are stopped first: a shell whose child died
// first would otherwise run on for a moment (the agent's shell session would save the state of the command
// being killed). Runs as the agent user, like the exec itself.
const KILL_SCRIPT = `pids=""
for dir in /proc/[0-9]*; do
  if tr '\\0' '\\n' < "$dir/environ" 2>/dev/null | grep -qxF "$1"; then pids="$pids \${dir#/proc/}"; fi
done
[ -n "$pids" ] || exit 0
kill -STOP $pids 2>/dev/null
for pid in $pids; do
  pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
  [ "$pgid" = "$pid" ] && kill -KILL -- "-$pgid" 2>/dev/null
done
kill -KILL $pids 2>/dev/null
exit 0`;

async function killExec(container: Docker.Container, tag: string): Promise<void> {
  try {
    const killer = await container.exec({
      Cmd: ["bash", "-c", KILL_SCRIPT, "kill", `${EXEC_TAG_VAR}=${tag}`],
      User: SANDBOX_USER,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await killer.start({ hijack: true, stdin: false });
    stream.resume();
    await new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
      setTimeout(resolve, 10_000).unref();
    });
  } catch {
    // Best effort: the command's own timeout still ends it.
  }
}

/** exec.inspect() can report Running for a moment after the stream ends; poll briefly for the code. */
async function waitForExitCode(exec: Docker.Exec, withinMs: number): Promise<number | null> {
  const until = Date.now() + withinMs;
  for (;;) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? null;
    if (Date.now() > until) return null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function listManagedContainers(docker: Docker, instanceId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_INSTANCE}=${instanceId}`] } });
}

export async function listManagedVolumes(docker: Docker, instanceId: string): Promise<{ Name: string; Labels: Record<string, string> | null }[]> {
  const result = await docker.listVolumes({ filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_INSTANCE}=${instanceId}`] } });
  return (result.Volumes ?? []).map((volume) => ({ Name: volume.Name, Labels: volume.Labels }));
}
