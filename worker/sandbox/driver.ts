// The sandbox interface the processor talks to. The Docker driver is the production implementation;
// a Kubernetes driver could plug in behind the same shape. Failures throw (never swallowed).
import type { Readable } from "node:stream";

export type SandboxLimits = { memoryBytes: number; nanoCpus: number };

export type SandboxSpec = {
  /** The installation (see LABEL_INSTANCE); derived from its database by default. */
  instanceId: string;
  attemptId: string;
  taskId: string;
  workerId: string;
  image: string;
  limits: SandboxLimits;
  expiresAt: Date;
};

export type SandboxHandle = { attemptId: string; containerId: string; name: string };

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
  /** Removes the container and its workspace volume; a missing container is not an error. */
  destroy(attemptId: string): Promise<void>;
};

/** Exit code `timeout` uses when it stopped a command (124), or 137 when it had to SIGKILL it. */
export function isTimeoutExit(code: number | null): boolean {
  return code === 124 || code === 137;
}
