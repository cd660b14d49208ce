// Runs the environment's app inside a preview sandbox (on the attempt's internal network, no egress):
// the install command, then the start command in the background, then waits until the readiness path
// answers. Every stage has its own timeout and fails with a PreviewError that carries the server log.
import { setTimeout as sleep } from "node:timers/promises";
import type { PreviewConfig } from "@/lib/environments/preview-config";
import type { PreviewFailure } from "@/lib/artifacts/preview-report";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";

const LOG_FILE = "/tmp/preview.log";
const LOG_TAIL_BYTES = 4000;
const PROBE_TIMEOUT_MS = 2_000;
// A refused connection answers at once, so probing often costs little and notices a ready app sooner.
const POLL_INTERVAL_MS = 50;

export class PreviewError extends Error {
  constructor(
    readonly stage: PreviewFailure["stage"],
    message: string,
    readonly logTail: string,
  ) {
    super(message);
    this.name = "PreviewError";
  }
}

export type RunningPreview = { baseUrl: string; origin: string };

// The server runs in its own session with output to a file, so the exec that starts it returns at once
// and the server outlives it. PORT/HOST are the conventions most dev servers read.
const START_SCRIPT = `PORT="$2" HOST=0.0.0.0 nohup setsid bash -lc "$1" </dev/null >${LOG_FILE} 2>&1 & echo $!`;

export async function startPreview(
  driver: SandboxDriver,
  sandbox: SandboxHandle,
  input: { config: PreviewConfig; network: string; signal: AbortSignal },
): Promise<RunningPreview> {
  const { config, signal } = input;
  if (config.installCommand) {
    const install = await driver.exec(sandbox, ["bash", "-lc", config.installCommand], {
      timeoutSec: config.installTimeoutSec,
      maxOutputBytes: 512 * 1024,
      signal,
    });
    if (install.exitCode !== 0) {
      const output = Buffer.concat([install.stdout, install.stderr]).toString("utf8");
      const why = install.timedOut ? `did not finish within ${config.installTimeoutSec} s` : `exited with code ${install.exitCode ?? "unknown"}`;
      throw new PreviewError("install", `The install command ${why}.`, tail(output));
    }
  }

  const start = await driver.exec(sandbox, ["bash", "-c", START_SCRIPT, "start", config.startCommand, String(config.port)], {
    timeoutSec: 30,
    maxOutputBytes: 64 * 1024,
    signal,
  });
  const pid = start.stdout.toString().trim();
  if (start.exitCode !== 0 || !/^\d+$/.test(pid)) {
    throw new PreviewError("start", "The start command could not be launched.", tail(start.stderr.toString()));
  }

  const ip = await driver.address(sandbox, input.network);
  const origin = `http://${ip}:${config.port}`;
  const deadline = Date.now() + config.startTimeoutSec * 1000;
  let lastAnswer = "no answer";
  let nextLivenessCheck = 0;
  while (Date.now() < deadline) {
    if (signal.aborted) throw new PreviewError("ready", "Cancelled.", "");
    lastAnswer = await probeReadiness(origin, config);
    if (lastAnswer === "ready") return { baseUrl: origin, origin };
    if (Date.now() >= nextLivenessCheck) {
      nextLivenessCheck = Date.now() + 1_000;
      const alive = await driver.exec(sandbox, ["kill", "-0", pid], { timeoutSec: 10, maxOutputBytes: 4096, signal });
      if (alive.exitCode !== 0) {
        throw new PreviewError("start", "The start command exited before the app was ready.", await readLog(driver, sandbox, signal));
      }
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new PreviewError(
    "ready",
    `The app was not ready within ${config.startTimeoutSec} s (${lastAnswer}). Check the start command, port ${config.port} and readiness path ${config.readinessPath}.`,
    await readLog(driver, sandbox, signal),
  );
}

/** "ready" when the app's readiness path answers below 400; otherwise what it did instead. */
export async function probeReadiness(origin: string, config: Pick<PreviewConfig, "port" | "readinessPath">): Promise<string> {
  try {
    const response = await fetch(origin + config.readinessPath, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: "manual" });
    await response.body?.cancel();
    return response.status < 400 ? "ready" : `HTTP ${response.status} on ${config.readinessPath}`;
  } catch {
    return `port ${config.port} not answering`;
  }
}

export async function readLog(driver: SandboxDriver, sandbox: SandboxHandle, signal: AbortSignal): Promise<string> {
  const result = await driver.exec(sandbox, ["tail", "-c", String(LOG_TAIL_BYTES), LOG_FILE], { timeoutSec: 10, maxOutputBytes: LOG_TAIL_BYTES * 2, signal });
  return result.stdout.toString("utf8");
}

function tail(text: string): string {
  return text.length > LOG_TAIL_BYTES ? text.slice(text.length - LOG_TAIL_BYTES) : text;
}
