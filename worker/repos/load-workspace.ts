// Materializes the repository at the base commit inside the sandbox: the bare mirror is streamed in as
// /workspace/.git, turned into a normal repository and checked out by the agent user inside the
// container. No network clone, and no host git ever touches the (agent-writable) workspace.
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { AppError } from "@/lib/errors";
import { WORKSPACE_DIR } from "@/worker/sandbox/container-template";
import type { CommandRunner, SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";
import { shellQuote } from "@/worker/sandbox/shell-quote";
import { minimalEnv } from "./git";

const CHECKOUT_SCRIPT = `set -e
cd /workspace
git config core.bare false
git config --remove-section remote.origin 2>/dev/null || true
git checkout -q -f -B "$2" "$1"
# Files a cached setup created stay out of the agent's diff (worker/setup/prepare-environment.ts).
if [ -f "$HOME/.patchbay/setup-untracked" ]; then mkdir -p .git/info && cat "$HOME/.patchbay/setup-untracked" >>.git/info/exclude; fi
git rev-parse HEAD`;

// An archive this small is held in memory and sent through the runner (the attempt's shell, already
// running) rather than Docker's archive endpoint: that call costs tens of milliseconds on the way to the
// agent's first command, whatever the size. A larger one is streamed to Docker as it is read.
const SHELL_ARCHIVE_MAX_BYTES = 8 * 1024 * 1024;

export async function loadWorkspace(
  driver: SandboxDriver,
  sandbox: SandboxHandle,
  input: {
    mirrorPath: string;
    baseCommit: string;
    branch: string;
    timeoutSec: number;
    /**
     * Work that must finish before the checkout, e.g. a setup cache being copied into the workspace and
     * home: the checkout must overwrite whatever the cache holds at a tracked path, and reads the list of
     * files setup created from the home. Copying the repository in overlaps with it.
     */
    beforeCheckout?: Promise<void>;
    /**
     * How the checkout runs; by default an exec of its own. The agent's attempt passes its shell session,
     * which then also receives the repository when its archive is small.
     */
    run?: CommandRunner;
  },
): Promise<void> {
  // The mirror's files arrive under .git/ (the archive names them so, directory included, owned by the agent
  // user; symlink targets are left alone): no exec is needed to make the directory first.
  const tar = spawn("tar", ["-C", input.mirrorPath, "--owner=1000", "--group=1000", "--numeric-owner", "--transform=s,^\\.,.git,S", "-cf", "-", "."], {
    stdio: ["ignore", "pipe", "pipe"],
    env: minimalEnv({ PATH: "/usr/bin:/bin" }),
  });
  let tarError = "";
  tar.stderr.on("data", (chunk: Buffer) => (tarError += chunk.toString()));
  const tarExit = new Promise<number | null>((resolve) => tar.on("close", resolve));
  const options = { timeoutSec: input.timeoutSec, maxOutputBytes: 256 * 1024 };
  const { run } = input;
  const archive = run ? await readUpTo(tar.stdout, SHELL_ARCHIVE_MAX_BYTES) : { rest: tar.stdout };
  if ("rest" in archive) await driver.putArchive(sandbox, archive.rest, WORKSPACE_DIR);
  else if (run && (await tarExit) === 0) {
    const extracted = await run(`tar -x -f - -C ${WORKSPACE_DIR}`, { ...options, input: archive.whole });
    if (extracted.exitCode !== 0) {
      throw new AppError("sandbox_error", `Could not copy the repository into the sandbox: ${extracted.stderr.toString().trim().slice(-1000)}`);
    }
  }
  if ((await tarExit) !== 0) throw new AppError("sandbox_error", `Could not copy the repository into the sandbox: ${tarError.trim()}`);
  await input.beforeCheckout;

  // A subshell: the session (when it runs there) keeps its own directory and options.
  const checkout = input.run
    ? await input.run(`(set -- ${shellQuote(input.baseCommit)} ${shellQuote(input.branch)}\n${CHECKOUT_SCRIPT}\n)`, options)
    : await driver.exec(sandbox, ["bash", "-c", CHECKOUT_SCRIPT, "checkout", input.baseCommit, input.branch], options);
  if (checkout.exitCode !== 0) {
    throw new AppError(
      "sandbox_error",
      `Could not check out ${input.baseCommit.slice(0, 12)} in the sandbox: ${checkout.stderr.toString().trim().slice(-1000)}`,
    );
  }
}

/** The whole stream when it ends within `max` bytes; otherwise a stream of everything, read on demand. */
async function readUpTo(stream: Readable, max: number): Promise<{ whole: Buffer } | { rest: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = stream[Symbol.asyncIterator]();
  for (;;) {
    const next = await reader.next();
    if (next.done) return { whole: Buffer.concat(chunks) };
    chunks.push(next.value as Buffer);
    size += (next.value as Buffer).length;
    if (size > max) {
      const read = async function* () {
        yield* chunks;
        for (let more = await reader.next(); !more.done; more = await reader.next()) yield more.value as Buffer;
      };
      return { rest: Readable.from(read()) };
    }
  }
}
