// The sandbox interface the processor talks to. The Docker driver is the production implementation;
// a Kubernetes driver could plug in behind the same shape. Failures throw (never swallowed).
import type { Readable } from "node:stream";

export type SandboxLimits = { memoryBytes: number; nanoCpus: number };

/**
 * What a container is for. "setup" runs the environment's setup script on the attempt's workspace and
 * home volumes, on the attempt's egress network (the proxy is its only way out); "agent" then works on
 * the same volumes with no network (or the egress network when the environment allows it). The preview
 * sandboxes run the app for screenshots on the attempt's internal network: "preview-base" on its own
 * checkout of the base commit, "preview-result" on the agent's workspace volume, "preview-patched" on its
 * own checkout of the base commit with the attempt's patch applied (so it runs while other work, the
 * check, still uses the agent's workspace). "ask" answers questions:
 * the agent's workspace mounted read-only, no network. "proxy" is the egress proxy (squid) for setup.
 * "copy" copies volumes to and from the setup cache, with no network. "probe" mounts nothing: the
 * worker's start-up check that sandboxes cannot reach the host.
 */
export type SandboxRole = "agent" | "setup" | "preview-base" | "preview-result" | "preview-patched" | "ask" | "proxy" | "copy" | "probe";

/** Preview roles with a workspace of their own (a fresh checkout), rather than the agent's. */
export function hasOwnCheckout(role: SandboxRole): boolean {
  return role === "preview-base" || role === "preview-patched";
}

/** Roles that use the attempt's workspace volume instead of creating their own. */
export function sharesAgentWorkspace(role: SandboxRole): boolean {
  return role === "preview-result" || role === "ask" || role === "setup";
}

/** Roles whose home directory is the attempt's home volume (package caches survive setup → agent). */
export function usesHomeVolume(role: SandboxRole): boolean {
  return role === "agent" || role === "setup";
}

export type SandboxSpec = {
  role: SandboxRole;
  /** null: no network at all; otherwise the attempt's internal network (no route outside). */
  network: string | null;
  /** The installation (see LABEL_INSTANCE); derived from its database by default. */
  instanceId: string;
  attemptId: string;
  taskId: string;
  workerId: string;
  image: string;
  limits: SandboxLimits;
  expiresAt: Date;
  /**
   * Plain variables for every process of the container (the environment's `env`, proxy settings, PATH
   * for the Node.js version). Never a secret: container env is visible in `docker inspect`.
   */
  env?: Record<string, string>;
  /** For "proxy": the squid configuration, started as the container's command. */
  proxyConfig?: string;
  /** For "copy": `from` mounted read-only under /copy/from, `to` as the workspace (and home, when given). */
  copy?: { from: CacheVolumes; to: { workspace: string; home?: string } };
  /** For "preview-base" and "preview-patched": fill its new workspace from a setup cache before the checkout. */
  restoreFrom?: CacheVolumes;
  /**
   * Made ahead of any attempt and held by this worker (a warm preview, worker/verify/warm-previews.ts):
   * labelled warm, so the reaper goes by the worker's heartbeat rather than an attempt's status.
   */
  warm?: boolean;
};

export type SandboxHandle = {
  attemptId: string;
  role: SandboxRole;
  containerId: string;
  name: string;
  /**
   * Plain variables added to each of its processes: a warm sandbox's container was made before its
   * attempt's environment was known (warm-pool.ts). Never a secret, like the container's own env.
   */
  env?: string[];
};

export type NetworkSpec = Pick<SandboxSpec, "instanceId" | "attemptId" | "taskId" | "workerId" | "expiresAt" | "warm">;

export type ExecOptions = {
  /** Enforced inside the container with `timeout -k 5`; the worker adds its own grace deadline. */
  timeoutSec: number;
  cwd?: string;
  stdin?: string | Buffer;
  /** Output beyond this (stdout + stderr) is dropped and the command is stopped; `truncated` is set. */
  maxOutputBytes: number;
  /** Extra variables for this process only: the one place secrets may go (setup), never the container's env. */
  env?: string[];
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  signal?: AbortSignal;
};

export type ExecResult = {
  exitCode: number | null;
  stdout: Buffer;
  stderr: Buffer;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
};

export type SpawnOptions = {
  /** Extra variables for this process only (as for exec). */
  env?: string[];
  onOutput: (stream: "stdout" | "stderr", chunk: Buffer) => void;
};

/** A long-lived process in a sandbox, with its stdin open (the agent's shell session). */
export type SpawnedProcess = {
  /** Writes to the process's stdin. */
  write(data: string | Uint8Array): void;
  /** Kills the process and everything it started, then waits for its end. */
  kill(): Promise<void>;
  /** Settles with the exit code (null when it could not be read) once the process's output has ended. */
  exited: Promise<number | null>;
};

/**
 * Runs a bash command in a sandbox by some means (its own exec, or the attempt's shell session), with
 * `input` on its stdin when given.
 */
export type CommandRunner = (command: string, options: { timeoutSec: number; maxOutputBytes: number; input?: Uint8Array }) => Promise<ExecResult>;

/** A saved setup result: the workspace's untracked and ignored files, and the agent home. */
export type CacheVolumes = { workspace: string; home: string };

export type SandboxDriver = {
  /**
   * Whether restoring a setup cache is a copy-on-write layer over it (instant, whatever its size)
   * rather than a copy (layered-volumes.ts).
   */
  readonly restoresByLayer: boolean;
  /**
   * Idempotent per attempt: removes a predecessor with the same name, then creates and starts. The
   * attempt's workspace and home volumes are created when missing (prepareWorkspace replaces them).
   */
  ensure(spec: SandboxSpec): Promise<SandboxHandle>;
  /**
   * Fresh workspace and home volumes for the attempt (a retry never sees its predecessor's files),
   * optionally filled from a setup cache before anything is checked out.
   */
  prepareWorkspace(spec: SandboxSpec, from?: CacheVolumes): Promise<void>;
  /** Copies a setup cache into the attempt's workspace and home (made by prepareWorkspace without one). */
  restoreCache(spec: SandboxSpec, from: CacheVolumes): Promise<void>;
  /**
   * Saves the attempt's setup result under `target` (replacing it): the workspace's untracked and
   * ignored files (tracked files come from the commit of each later task) and the whole home.
   * Returns the bytes saved.
   */
  saveCache(spec: SandboxSpec, target: CacheVolumes, labels: Record<string, string>): Promise<number>;
  /** Removes cache volumes; missing ones are not an error. */
  removeVolumes(names: string[]): Promise<void>;
  /** Names of existing volumes carrying a label (e.g. every setup cache of this installation). */
  listVolumes(label: string): Promise<string[]>;
  /** Starts the attempt's egress proxy on its egress network; returns the proxy's URL for HTTP(S)_PROXY. */
  startProxy(spec: SandboxSpec): Promise<{ handle: SandboxHandle; url: string; network: string }>;
  /** The image's id and the tool versions it records (label patchbay.tools), for cache keys and the UI. */
  imageInfo(image: string): Promise<{ id: string; tools: Record<string, string> }>;
  /** Runs argv as the agent user (no shell unless argv asks for one). */
  exec(handle: SandboxHandle, argv: string[], options: ExecOptions): Promise<ExecResult>;
  /** Starts argv as the agent user and keeps it running, its stdin open, until it exits or is killed. */
  spawn(handle: SandboxHandle, argv: string[], options: SpawnOptions): Promise<SpawnedProcess>;
  /**
   * The process the warm pool started with this handle's sandbox (its `shell` option), handed out once and
   * only while it still runs; null otherwise (the caller spawns its own). Output goes to `onOutput` from now.
   */
  adoptStarted(handle: SandboxHandle, onOutput: SpawnOptions["onOutput"]): SpawnedProcess | null;
  /** Extracts a tar stream into a directory of the sandbox (the directory must exist). */
  putArchive(handle: SandboxHandle, tar: Readable, directory: string): Promise<void>;
  /** Creates (or recreates) the attempt's internal preview network, which has no route to the outside. */
  ensureNetwork(spec: NetworkSpec): Promise<string>;
  /** The sandbox's IP address on a network it is attached to, for the worker's browser. */
  address(handle: SandboxHandle, network: string): Promise<string>;
  /** Freezes every process of a container (cgroup freezer) until `unpause`. */
  pause(handle: SandboxHandle): Promise<void>;
  unpause(handle: SandboxHandle): Promise<void>;
  /**
   * Removes one container (its volumes stay). `background`: returns at once and removes it meanwhile;
   * the attempt's destroy, and anything replacing the container, wait for that removal.
   */
  release(handle: SandboxHandle, options?: { background?: boolean }): Promise<void>;
  /** Removes every container, volume and network of the attempt; missing ones are not an error. */
  destroy(attemptId: string): Promise<void>;
  /**
   * Agent sandboxes made ahead of time (warm-pool.ts), or null when the pool is off. prepareWorkspace
   * without a cache takes one when it is ready, and the attempt's agent container is then that one.
   */
  readonly warm: WarmPoolControl | null;
};

export type WarmPoolControl = {
  /**
   * Makes sandboxes until the pool is full: at start, after an attempt that may have taken one has its
   * workspace loaded (taking does not refill), and on the reaper's round (after a failure).
   */
  fill(): Promise<void>;
  /** Removes the ready ones (the worker's shutdown). */
  drain(): Promise<void>;
  /** Whether an attempt-id label is one of the pool's: the reaper leaves those alone. */
  holds(labelAttemptId: string): boolean;
  readyCount(): number;
};

/** Exit code `timeout` uses when it stopped a command (124), or 137 when it had to SIGKILL it. */
export function isTimeoutExit(code: number | null): boolean {
  return code === 124 || code === 137;
}
