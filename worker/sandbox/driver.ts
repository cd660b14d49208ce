// The sandbox interface the processor talks to. The Docker driver is the production implementation;
// a Kubernetes driver could plug in behind the same shape. Failures throw (never swallowed).
import type { Readable } from "node:stream";

export type SandboxLimits = { memoryBytes: number; nanoCpus: number };

/**
 * What a container is for. The agent's sandbox has its own workspace volume and no network; the preview
 * sandboxes run the app for screenshots on the attempt's internal network: "preview-base" on a fresh
 * checkout of the base commit, "preview-result" on the agent's workspace volume. "ask" answers questions:
 * the agent's workspace mounted read-only, no network.
 */
export type SandboxRole = "agent" | "preview-base" | "preview-result" | "ask";

/** Roles that use the agent's workspace volume instead of creating their own. */
export function sharesAgentWorkspace(role: SandboxRole): boolean {
  return role === "preview-result" || role === "ask";
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
};

export type SandboxHandle = { attemptId: string; role: SandboxRole; containerId: string; name: string };

export type NetworkSpec = Pick<SandboxSpec, "instanceId" | "attemptId" | "taskId" | "workerId" | "expiresAt">;

export type ExecOptions = {
  /** Enforced inside the container with `timeout -k 5`; the worker adds its own grace deadline. */
  timeoutSec: number;
  cwd?: string;
  stdin?: string | Buffer;
  /** Output beyond this (stdout + stderr) is dropped and the command is stopped; `truncated` is set. */
  maxOutputBytes: number;
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

export type SandboxDriver = {
  /** Idempotent per attempt: removes a predecessor with the same name, then creates and starts. */
  ensure(spec: SandboxSpec): Promise<SandboxHandle>;
  /** Runs argv as the agent user (no shell unless argv asks for one). */
  exec(handle: SandboxHandle, argv: string[], options: ExecOptions): Promise<ExecResult>;
  /** Extracts a tar stream into a directory of the sandbox (the directory must exist). */
  putArchive(handle: SandboxHandle, tar: Readable, directory: string): Promise<void>;
  /** Creates (or recreates) the attempt's internal network, which has no route to the outside. */
  ensureNetwork(spec: NetworkSpec): Promise<string>;
  /** The sandbox's IP address on a network it is attached to, for the worker's browser. */
  address(handle: SandboxHandle, network: string): Promise<string>;
  /** Removes one container (its volumes stay). */
  release(handle: SandboxHandle): Promise<void>;
  /** Removes every container, volume and network of the attempt; missing ones are not an error. */
  destroy(attemptId: string): Promise<void>;
};

/** Exit code `timeout` uses when it stopped a command (124), or 137 when it had to SIGKILL it. */
export function isTimeoutExit(code: number | null): boolean {
  return code === 124 || code === 137;
}
