// Real Patchbay processes started by a test (the worker, the web) in their own process group, so that
// a SIGKILL reaches tsx's node child too, as a crash of the whole process would.
import { spawn, type ChildProcess } from "node:child_process";

export function spawnGroup(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, { detached: true, stdio: ["ignore", "ignore", "inherit"], env });
}

/** Sends `signal` to the whole group and resolves once the process has exited; a no-op when it already has. */
export async function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, signal);
  } catch {
    return; // already gone
  }
  await exited;
}
