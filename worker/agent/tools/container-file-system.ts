// A PatchFileSystem over the sandbox's workspace: every read and write is an exec as the agent user, so
// apply_patch has exactly the permissions the agent's shell has and never touches the host.
import { WORKSPACE_DIR } from "@/worker/sandbox/container-template";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";
import type { PatchFileSystem } from "@/worker/agent/apply-patch/apply-patch";

const MAX_FILE_BYTES = 8 * 1024 * 1024;
const NOT_A_FILE = 3;

export function createContainerFileSystem(driver: SandboxDriver, sandbox: SandboxHandle, signal: AbortSignal): PatchFileSystem {
  async function run(script: string, path: string, stdin?: string) {
    const result = await driver.exec(sandbox, ["bash", "-c", script, "fs", path], {
      timeoutSec: 60,
      cwd: WORKSPACE_DIR,
      maxOutputBytes: MAX_FILE_BYTES + 1,
      signal,
      ...(stdin !== undefined ? { stdin } : {}),
    });
    return result;
  }

  return {
    async readFile(path) {
      const result = await run(`if [ -f "$1" ]; then cat -- "$1"; else exit ${NOT_A_FILE}; fi`, path);
      if (result.exitCode === NOT_A_FILE) return null;
      if (result.truncated) throw new Error(`${path} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; edit it with the shell tool instead.`);
      if (result.exitCode !== 0) throw new Error(`Could not read ${path}: ${result.stderr.toString().trim()}`);
      return result.stdout.toString("utf8");
    },
    async writeFile(path, content) {
      const result = await run('mkdir -p -- "$(dirname -- "$1")" && cat > "$1"', path, content);
      if (result.exitCode !== 0) throw new Error(`Could not write ${path}: ${result.stderr.toString().trim()}`);
    },
    async deleteFile(path) {
      const result = await run('rm -f -- "$1"', path);
      if (result.exitCode !== 0) throw new Error(`Could not delete ${path}: ${result.stderr.toString().trim()}`);
    },
  };
}
