// The agent's persistent shell on a real sandbox: state carries over between commands, output comes back
// exactly as printed (markers removed), and a command that hangs, floods or exits the shell takes the
// session down with everything it started, and the next command gets a new one with the last saved
// directory and variables.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createShellSession, type ShellRunOptions, type ShellSession } from "@/worker/agent/tools/shell-session";
import { createDockerDriver } from "@/worker/sandbox/docker-driver";
import type { SandboxHandle } from "@/worker/sandbox/driver";
import { sandboxSpec } from "@/test/support/sandbox";
import { docker, TEST_SANDBOX_IMAGE } from "@/test/support/test-worker";

const driver = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
const spec = sandboxSpec();
let sandbox: SandboxHandle;
let shell: ShellSession;

beforeAll(async () => {
  sandbox = await driver.ensure(spec);
  shell = createShellSession(driver, sandbox);
});

afterAll(async () => {
  await shell?.close();
  await driver.destroy(spec.attemptId).catch(() => undefined);
});

async function run(command: string, options: Partial<ShellRunOptions> & { workdir?: string } = {}) {
  const streamed: string[] = [];
  const result = await shell.run(command, options.workdir ?? "", {
    timeoutSec: 20,
    maxOutputBytes: 1024 * 1024,
    onOutput: (stream, chunk) => streamed.push(`${stream}:${chunk.toString("utf8")}`),
    ...options,
  });
  return { ...result, out: result.stdout.toString("utf8"), err: result.stderr.toString("utf8"), streamed };
}

it("gives a command its input on stdin, byte for byte, and a command that reads none of it does not pass it on", async () => {
  // Binary bytes, newlines and text shaped like the session's own header line.
  const input = Buffer.concat([Buffer.from("__patchbay_ffff 3 0 0\nnot a command\n"), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256))]);
  const expected = createHash("sha256").update(input).digest("hex");
  expect(await run("sha256sum | cut -d' ' -f1", { input })).toMatchObject({ exitCode: 0, out: `${expected}\n` });
  expect(await run("wc -c", { input })).toMatchObject({ exitCode: 0, out: `${input.length}\n` });
  // Read by count: the bytes a command ignores are not taken for the next header.
  expect(await run("echo ignored", { input })).toMatchObject({ exitCode: 0, out: "ignored\n" });
  expect(await run("echo next; cat")).toMatchObject({ exitCode: 0, out: "next\n" });
  // The input is not left in the session's state directory.
  expect((await run('ls -A "$HOME/.patchbay-shell"')).out.split("\n")).not.toContain("input");
  // A directory to run in and an input together.
  expect(await run("pwd; head -c 15", { input, workdir: "/workspace" })).toMatchObject({ exitCode: 0, out: "/workspace\n__patchbay_ffff" });
});

/** The pids of the session's shell processes (bash running the session loop), seen from a separate exec. */
async function sessionShells(): Promise<string[]> {
  const listed = await driver.exec(sandbox, ["bash", "-c", "pgrep -f '__pb_marker' || true"], { timeoutSec: 10, maxOutputBytes: 64 * 1024 });
  return listed.stdout.toString("utf8").split("\n").filter(Boolean);
}

it("keeps the directory and exported variables between commands, and returns output exactly as printed", async () => {
  expect(await run("mkdir -p /workspace/deep/er && cd /workspace/deep && export GREETING='hi there' && LOCAL=1")).toMatchObject({ exitCode: 0, out: "" });
  const next = await run('pwd; echo "$GREETING"; echo "local:${LOCAL:-unset}" >&2; printf "no newline"');
  // Unexported shell variables persist too: it is the same shell.
  expect(next).toMatchObject({ exitCode: 0, out: "/workspace/deep\nhi there\nno newline", err: "local:1\n", timedOut: false, truncated: false });
  expect(next.streamed.join("")).toContain("stdout:/workspace/deep");
  // Text that looks like Patchbay's end-of-command line, and blank lines, are the command's own output.
  expect((await run("printf '\\n\\n__patchbay_0123 0\\n\\n'")).out).toBe("\n\n__patchbay_0123 0\n\n");
  // Any text arrives as written: several lines, quotes, a heredoc, non-ASCII.
  const script = "cat <<'EOF'\n„Hallo“ 👋 $HOME \\n\nEOF\necho 'two\nlines'";
  expect(await run(script)).toMatchObject({ exitCode: 0, out: "„Hallo“ 👋 $HOME \\n\ntwo\nlines\n" });
  expect(await run("false")).toMatchObject({ exitCode: 1 });
  expect(await run("echo in; cat; echo out")).toMatchObject({ exitCode: 0, out: "in\nout\n" });
  expect(await run("pwd", { workdir: "/workspace/deep/er" })).toMatchObject({ out: "/workspace/deep/er\n" });
  expect(await run("pwd")).toMatchObject({ out: "/workspace/deep/er\n" });
  expect(await run("pwd", { workdir: "/workspace/missing" })).toMatchObject({ exitCode: 1, err: expect.stringContaining("No such file or directory") });
});

it("kills a command that outlives its timeout with its session, and the next command has the saved state back", async () => {
  await run("cd /workspace && export KEPT=before-the-hang");
  const [before] = await sessionShells();
  const hung = await run("export LOST=yes; cd /tmp; sleep 300 & echo started; sleep 300", { timeoutSec: 2 });
  expect(hung).toMatchObject({ exitCode: 124, timedOut: true, out: "started\n" });
  // The session and what it started (the background sleep too) are gone.
  const after = await driver.exec(sandbox, ["bash", "-c", "pgrep -f '^sleep 300' || echo none"], { timeoutSec: 10, maxOutputBytes: 4096 });
  expect(after.stdout.toString("utf8").trim()).toBe("none");
  const back = await run('echo "$KEPT ${LOST:-unset}"; pwd');
  expect(back).toMatchObject({ exitCode: 0, out: "before-the-hang unset\n/workspace\n" });
  expect(await sessionShells()).not.toContain(before);
});

it("ends a session the command exits, with the command's exit code, and stops one that prints too much", async () => {
  await run("export BEFORE_EXIT=1; cd /workspace/deep");
  expect(await run("echo bye; exit 3")).toMatchObject({ exitCode: 3, out: "bye\n" });
  expect(await run('echo "$BEFORE_EXIT"; pwd')).toMatchObject({ exitCode: 0, out: "1\n/workspace/deep\n" });

  const flood = await run("yes patchbay", { maxOutputBytes: 64 * 1024 });
  expect(flood).toMatchObject({ truncated: true, exitCode: 137 });
  expect(flood.stdout.length).toBe(64 * 1024);
  expect(await run("pgrep -x yes || echo none")).toMatchObject({ out: "none\n" });
});

it("stops a cancelled command, and runs commands one at a time in the order they were given", async () => {
  const controller = new AbortController();
  const cancelled = run("sleep 300", { signal: controller.signal });
  setTimeout(() => controller.abort(), 300);
  await expect(cancelled).rejects.toThrow("Cancelled.");
  const [first, second] = await Promise.all([run("sleep 0.3; echo first"), run("echo second")]);
  expect([first.out, second.out]).toEqual(["first\n", "second\n"]);
});
