// The one container template (security.md §2). Pure, so a unit test can check every hardening field.
// Callers choose only an allowlisted image and limits within bounds; everything else is fixed here.
import type Docker from "dockerode";
import { containerName, LABEL_ROLE, sandboxLabels, workspaceVolumeName } from "./labels";
import type { SandboxSpec } from "./driver";

export const SANDBOX_USER = "1000:1000";
export const WORKSPACE_DIR = "/workspace";

// @types/dockerode predates CgroupnsMode (Engine API 1.41); the daemon accepts it on Docker 20.10+.
type HostConfigWithCgroupns = Docker.HostConfig & { CgroupnsMode: "private" | "host" };
export type SandboxCreateOptions = Docker.ContainerCreateOptions & { HostConfig: HostConfigWithCgroupns };

export function buildContainerOptions(spec: SandboxSpec): SandboxCreateOptions {
  return {
    name: containerName(spec.attemptId, spec.role),
    Image: spec.image,
    User: SANDBOX_USER,
    WorkingDir: WORKSPACE_DIR,
    Entrypoint: ["sleep"],
    Cmd: ["infinity"],
    // Never a secret: container env is visible in `docker inspect` and /proc/1/environ.
    Env: ["HOME=/home/agent", "LANG=C.UTF-8", "CI=1"],
    Labels: { ...sandboxLabels(spec), [LABEL_ROLE]: spec.role },
    HostConfig: {
      Privileged: false,
      CapDrop: ["ALL"],
      CapAdd: [],
      SecurityOpt: ["no-new-privileges:true", "apparmor=docker-default"],
      ReadonlyRootfs: true,
      Init: true,
      IpcMode: "private",
      CgroupnsMode: "private",
      Tmpfs: {
        "/tmp": "rw,exec,nosuid,nodev,size=1g",
        "/home/agent": "rw,exec,nosuid,nodev,size=512m,uid=1000,gid=1000,mode=0700",
      },
      Mounts: [{ Type: "volume", Source: workspaceVolumeName(spec.attemptId, spec.role), Target: WORKSPACE_DIR, ReadOnly: spec.role === "ask" }],
      Binds: [],
      Devices: [],
      DeviceRequests: [],
      PortBindings: {},
      PublishAllPorts: false,
      NetworkMode: spec.network ?? "none",
      Memory: spec.limits.memoryBytes,
      MemorySwap: spec.limits.memoryBytes,
      NanoCpus: spec.limits.nanoCpus,
      PidsLimit: 512,
      OomScoreAdj: 500,
      ShmSize: 512 * 1024 ** 2,
      Ulimits: [
        { Name: "nofile", Soft: 8192, Hard: 8192 },
        { Name: "core", Soft: 0, Hard: 0 },
      ],
      AutoRemove: false,
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "1" } },
    },
  };
}

/** Limits a caller may ask for, clamped to what one sandbox may take. */
export function clampLimits(memoryMb: number, cpus: number): { memoryBytes: number; nanoCpus: number } {
  const memory = Math.min(Math.max(memoryMb, 256), 65536);
  const cpu = Math.min(Math.max(cpus, 0.25), 64);
  return { memoryBytes: memory * 1024 * 1024, nanoCpus: Math.round(cpu * 1e9) };
}
