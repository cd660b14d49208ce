// The Docker implementation of SandboxDriver: the only module that creates containers (security.md §1.2).
import { randomBytes } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import Docker from "dockerode";
import { AppError } from "@/lib/errors";
import { buildContainerOptions, SANDBOX_USER, WORKSPACE_DIR } from "./container-template";
import { sharesAgentWorkspace, type ExecOptions, type ExecResult, type NetworkSpec, type SandboxDriver, type SandboxHandle, type SandboxSpec } from "./driver";
import { containerName, LABEL_ATTEMPT, LABEL_INSTANCE, LABEL_MANAGED, networkName, sandboxLabels, workspaceVolumeName } from "./labels";

/** Extra time past the in-container timeout before the worker gives up on an exec and kills the sandbox. */
const EXEC_GRACE_MS = 15_000;
const DOCKER_PING_TIMEOUT_MS = 5_000;
/** Env var that tags each exec's processes, so a second exec can find and kill them (see killExec). */
const EXEC_TAG_VAR = "PATCHBAY_EXEC";

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
};

export function createDockerDriver(docker: Docker, options: DockerDriverOptions): SandboxDriver {
  async function removeContainer(name: string): Promise<void> {
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
    try {
      await docker.getVolume(name).remove({ force: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  return {
    async ensure(spec: SandboxSpec): Promise<SandboxHandle> {
      if (!options.allowedImages.includes(spec.image)) {
        throw new AppError("sandbox_error", `Sandbox image "${spec.image}" is not in PATCHBAY_SANDBOX_IMAGES.`);
      }
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
      const name = containerName(spec.attemptId, spec.role);
      // A retried job replaces its predecessor, workspace included: the retry starts from a clean clone.
      await removeContainer(name);
      const volume = workspaceVolumeName(spec.attemptId, spec.role);
      if (sharesAgentWorkspace(spec.role)) {
        // Shares the agent's workspace: it must exist and must not be replaced.
        await docker.getVolume(volume).inspect();
      } else {
        await removeVolume(volume);
        await docker.createVolume({ Name: volume, Labels: sandboxLabels(spec) });
      }
      const container = await docker.createContainer(buildContainerOptions(spec));
      await container.start();
      return { attemptId: spec.attemptId, role: spec.role, containerId: container.id, name };
    },

    async ensureNetwork(spec: NetworkSpec): Promise<string> {
      const name = networkName(spec.attemptId);
      await removeNetwork(name);
      // Internal: no route off the bridge, so a preview can neither leak nor fetch; the host still
      // reaches containers at their addresses on it.
      const network = await docker.createNetwork({ Name: name, Driver: "bridge", Internal: true, CheckDuplicate: true, Labels: sandboxLabels(spec) });
      if (options.workerContainer) await network.connect({ Container: options.workerContainer });
      return name;
    },

    async address(handle: SandboxHandle, network: string): Promise<string> {
      const info = await docker.getContainer(handle.containerId).inspect();
      const ip = info.NetworkSettings.Networks[network]?.IPAddress;
      if (!ip) throw new AppError("sandbox_error", `The preview sandbox has no address on ${network}.`);
      return ip;
    },

    async release(handle: SandboxHandle): Promise<void> {
      await removeContainer(handle.name);
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
        Env: [`${EXEC_TAG_VAR}=${tag}`],
        User: SANDBOX_USER,
        WorkingDir: execOptions.cwd ?? WORKSPACE_DIR,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: execOptions.stdin !== undefined,
        Tty: false,
      });
      const stream = await exec.start({ hijack: true, stdin: execOptions.stdin !== undefined });
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
        // A truncated command was killed by us (137), not by its timeout.
        timedOut: !truncated && (exitCode === 124 || exitCode === 137),
        durationMs: Date.now() - started,
      };
    },

    async putArchive(handle: SandboxHandle, tar: Readable, directory: string): Promise<void> {
      await docker.getContainer(handle.containerId).putArchive(tar, { path: directory });
    },

    async destroy(attemptId: string): Promise<void> {
      const filters = { label: [`${LABEL_ATTEMPT}=${attemptId}`] };
      for (const info of await docker.listContainers({ all: true, filters })) await removeContainer(info.Id);
      for (const volume of (await docker.listVolumes({ filters })).Volumes ?? []) await removeVolume(volume.Name);
      await removeNetwork(networkName(attemptId));
    },
  };
}

// Kills every process carrying the exec's tag, and the process group it leads: `timeout` makes itself a
// group leader, so children that cleared their env go too. Runs as the agent user, like the exec itself.
const KILL_SCRIPT = `for dir in /proc/[0-9]*; do
  if tr '\\0' '\\n' < "$dir/environ" 2>/dev/null | grep -qxF "$1"; then
    pid=\${dir#/proc/}
    pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
    [ "$pgid" = "$pid" ] && kill -KILL -- "-$pgid" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null
  fi
done
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
