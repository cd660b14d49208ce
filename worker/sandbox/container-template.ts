// The one container template (docs/security.md §3). Pure, so a unit test can check every hardening field.
// Callers choose only an allowlisted image and limits within bounds; everything else is fixed here.
import { createHash } from "node:crypto";
import type Docker from "dockerode";
import { homeVolumeName, containerName, LABEL_ROLE, sandboxLabels, workspaceVolumeName } from "./labels";
import { hasOwnCheckout, usesHomeVolume, type CacheVolumes, type SandboxSpec } from "./driver";

export const SANDBOX_USER = "1000:1000";
export const WORKSPACE_DIR = "/workspace";
export const HOME_DIR = "/home/agent";
export const PROXY_PORT = 3128;
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The proxy's command: its configuration arrives as an argument (it is not secret), is written to the
// tmpfs and squid runs in the foreground, so removing the container stops it.
const PROXY_COMMAND = 'printf "%s" "$1" >/tmp/squid.conf && exec squid -N -f /tmp/squid.conf';

/** The attempt's workspace and home volumes when they are named after it (a warm sandbox's are not). */
export function attemptVolumes(attemptId: string): CacheVolumes {
  return { workspace: workspaceVolumeName(attemptId, "agent"), home: homeVolumeName(attemptId) };
}

function mountsFor(spec: SandboxSpec, volumes: CacheVolumes): Docker.MountSettings[] {
  const workspace = (readOnly: boolean): Docker.MountSettings => ({
    Type: "volume",
    Source: hasOwnCheckout(spec.role) ? workspaceVolumeName(spec.attemptId, spec.role) : volumes.workspace,
    Target: WORKSPACE_DIR,
    ReadOnly: readOnly,
  });
  switch (spec.role) {
    case "agent":
    case "setup":
      return [workspace(false), { Type: "volume", Source: volumes.home, Target: HOME_DIR, ReadOnly: false }];
    case "ask":
      return [workspace(true)];
    case "preview-base":
    case "preview-result":
    case "preview-patched":
      return [workspace(false)];
    case "proxy":
    case "probe":
      return [];
    case "copy": {
      // The targets mount where the image has directories owned by the agent user, so a new volume
      // starts out writable by it.
      if (!spec.copy) throw new Error("a copy sandbox needs its volumes");
      const { from, to } = spec.copy;
      const mounts: Docker.MountSettings[] = [
        { Type: "volume", Source: from.workspace, Target: "/copy/from/workspace", ReadOnly: true },
        { Type: "volume", Source: to.workspace, Target: WORKSPACE_DIR, ReadOnly: false },
      ];
      if (to.home) {
        mounts.push({ Type: "volume", Source: from.home, Target: "/copy/from/home", ReadOnly: true });
        mounts.push({ Type: "volume", Source: to.home, Target: HOME_DIR, ReadOnly: false });
      }
      return mounts;
    }
    default: {
      const unknownRole: never = spec.role;
      throw new Error(`unknown sandbox role ${String(unknownRole)}`);
    }
  }
}

// @types/dockerode predates CgroupnsMode (Engine API 1.41); the daemon accepts it on Docker 20.10+.
type HostConfigWithCgroupns = Docker.HostConfig & { CgroupnsMode: "private" | "host" };
export type SandboxCreateOptions = Docker.ContainerCreateOptions & { HostConfig: HostConfigWithCgroupns };

// Set by the template whatever the environment says (HOME and the locale), or only where the environment
// leaves them unset (PATH).
const FIXED_ENV = new Set(["HOME", "LANG", "CI"]);

/**
 * The environment's plain variables as a sandbox's processes see them. A fresh container has them in its
 * env; a warm one was made before the attempt's environment was known, so the driver passes the same list
 * to each of its processes instead (after the container's own, which it overrides, PATH included).
 */
export function environmentVariables(spec: Pick<SandboxSpec, "env">): string[] {
  return Object.entries(spec.env ?? {})
    .filter(([name]) => !FIXED_ENV.has(name))
    .map(([name, value]) => `${name}=${value}`);
}

/**
 * `volumes`: the attempt's workspace and home, for the roles that use them; named after the attempt unless
 * the attempt took a warm sandbox (warm-pool.ts), whose volumes were named before the attempt existed.
 */
export function buildContainerOptions(spec: SandboxSpec, volumes: CacheVolumes = attemptVolumes(spec.attemptId)): SandboxCreateOptions {
  return {
    name: sandboxName(spec),
    Image: spec.image,
    User: SANDBOX_USER,
    WorkingDir: spec.role === "proxy" || spec.role === "copy" ? "/tmp" : WORKSPACE_DIR,
    ...(spec.role === "proxy"
      ? { Entrypoint: ["bash", "-c", PROXY_COMMAND, "proxy"], Cmd: [spec.proxyConfig ?? ""] }
      : { Entrypoint: ["sleep"], Cmd: ["infinity"] }),
    // Never a secret: container env is visible in `docker inspect` and /proc/1/environ.
    Env: [
      // Nothing here has a desktop: dev servers that open a browser on start (Vite's server.open, Create
      // React App) would otherwise fail or crash looking for xdg-open. First, so an environment may override it.
      "BROWSER=none",
      ...environmentVariables(spec),
      `HOME=${HOME_DIR}`,
      "LANG=C.UTF-8",
      "CI=1",
      ...(spec.env?.PATH ? [] : [`PATH=${PATH}`]),
    ],
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
        ...(usesHomeVolume(spec.role) || spec.role === "copy" ? {} : { [HOME_DIR]: "rw,exec,nosuid,nodev,size=512m,uid=1000,gid=1000,mode=0700" }),
      },
      Mounts: mountsFor(spec, volumes),
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

/**
 * The container's name. Copies into a preview's own workspace are named after that workspace too: the
 * "before" and "after" previews may both be filled from the setup cache at the same moment.
 */
export function sandboxName(spec: SandboxSpec): string {
  const base = containerName(spec.attemptId, spec.role);
  const target = spec.role === "copy" ? spec.copy?.to.workspace : undefined;
  if (!target || target === attemptVolumes(spec.attemptId).workspace) return base;
  return `${base}-${createHash("sha256").update(target).digest("hex").slice(0, 8)}`;
}

/** Limits a caller may ask for, clamped to what one sandbox may take. */
export function clampLimits(memoryMb: number, cpus: number): { memoryBytes: number; nanoCpus: number } {
  const memory = Math.min(Math.max(memoryMb, 256), 65536);
  const cpu = Math.min(Math.max(cpus, 0.25), 64);
  return { memoryBytes: memory * 1024 * 1024, nanoCpus: Math.round(cpu * 1e9) };
}
