// The hostile-input suite: what a hostile repository, dependency or model does inside a sandbox, one test
// per attack, each with the containment expected, against a real Docker engine with the sandbox template
// the worker uses. Attacks proven elsewhere (so this list stays one place to look):
// - disk fill past the cap: worker/sandbox/workspace-disk.int.test.ts, layered-volumes.int.test.ts
// - gigabytes of output, command timeouts, no Docker socket, no network, read-only root, uid 1000 with no
//   capabilities: worker/sandbox/docker-driver.int.test.ts
// - apply_patch with `..`, absolute paths and symlinked parents: worker/agent/apply-patch/*.test.ts
// - .gitattributes filters, hooks and core.fsmonitor in a repository (nothing runs on the host):
//   worker/repos/git.int.test.ts; branch names and repository URLs with git options or shell
//   metacharacters: lib/git-refs.test.ts, worker/processors/run-attempt-faults.int.test.ts
// - secrets in /proc/*/environ, files, events and caches: worker/setup/setup-phase.int.test.ts
// - reaching the host's addresses or another sandbox: worker/setup/setup-phase.int.test.ts
// - oversized and malformed bodies, NUL bytes in ids: e2e/hostile-requests.spec.ts
// - every API route called by a stranger and a copywriter: app/api/v1/access.int.test.ts
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxSpec } from "@/test/support/sandbox";
import { waitFor } from "@/test/support/wait-for";
import { docker, TEST_SANDBOX_IMAGE } from "@/test/support/test-worker";
import { clampLimits } from "@/worker/sandbox/container-template";
import { createDockerDriver } from "@/worker/sandbox/docker-driver";
import type { SandboxHandle } from "@/worker/sandbox/driver";
import { extractDiff } from "@/worker/repos/extract-diff";

const driver = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
// The template's limits, small: 256 MiB and half a CPU.
const spec = sandboxSpec({ limits: clampLimits(256, 0.5) });
let box: SandboxHandle;

async function sh(script: string, timeoutSec = 30) {
  const result = await driver.exec(box, ["bash", "-c", script], { timeoutSec, maxOutputBytes: 256 * 1024 });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString(), timedOut: result.timedOut };
}

beforeAll(async () => {
  await driver.prepareWorkspace(spec);
  box = await driver.ensure(spec);
});

afterAll(async () => {
  await driver.destroy(spec.attemptId);
});

describe("hostile commands in a sandbox", () => {
  it("a fork bomb fills its own sandbox's process limit and no more; other sandboxes and the host carry on", async () => {
    const bombed = sandboxSpec({ limits: clampLimits(256, 0.5) });
    await driver.prepareWorkspace(bombed);
    const victim = await driver.ensure(bombed);
    try {
      // The shell returns at once; its children keep forking inside the sandbox.
      await driver.exec(victim, ["bash", "-c", ":(){ :|:& };: ; exit 0"], { timeoutSec: 10, maxOutputBytes: 4096 }).catch(() => undefined);
      const container = docker.getContainer(victim.containerId);
      const pids = async () => ((await container.stats({ stream: false })) as { pids_stats?: { current?: number; limit?: number } }).pids_stats ?? {};
      await waitFor("the fork bomb to fill its sandbox", async () => ((await pids()).current ?? 0) >= 400);
      const filled = await pids();
      expect(filled.current).toBeLessThanOrEqual(512);
      // Another sandbox, and the worker's Docker engine, still answer.
      expect((await sh("echo alive")).out).toBe("alive\n");
    } finally {
      await driver.destroy(bombed.attemptId);
    }
    expect(await docker.listContainers({ all: true, filters: { label: [`patchbay.attempt-id=${bombed.attemptId}`] } })).toEqual([]);
  });

  it("a memory bomb is killed at the sandbox's memory limit, not the host's, and the sandbox survives", async () => {
    const bomb = await sh(`python3 -c "chunks = []
while True: chunks.append(bytearray(64 * 1024 * 1024))"`);
    // The kernel's OOM killer (137) or Python's MemoryError (1): either way the bomb ends, long before its
    // timeout, and is not reported as one.
    expect(bomb.timedOut).toBe(false);
    expect([1, 137]).toContain(bomb.code);
    expect((await sh("echo alive")).out).toBe("alive\n");
  });

  it("has no way out by DNS, raw IPv4 or IPv6", async () => {
    const tries = await sh(
      [
        "getent hosts registry.npmjs.org >/dev/null && echo dns-resolved || echo dns-failed",
        "curl -sS -m 5 -o /dev/null http://1.1.1.1/ && echo ipv4-reached || echo ipv4-failed",
        "curl -sS -m 5 -o /dev/null 'http://[2606:4700:4700::1111]/' && echo ipv6-reached || echo ipv6-failed",
        "cat /etc/resolv.conf 2>/dev/null | grep -c nameserver || true",
      ].join("; "),
    );
    expect(tries.out.split("\n").slice(0, 3)).toEqual(["dns-failed", "ipv4-failed", "ipv6-failed"]);
  });

  it("finds nothing secret in /proc/1/environ, and no Docker socket anywhere it would look", async () => {
    const environ = await sh("tr '\\0' '\\n' < /proc/1/environ");
    const names = environ.out
      .trim()
      .split("\n")
      .map((line) => line.slice(0, line.indexOf("=")));
    // The template's variables and the image's own tool settings; nothing of the worker's.
    expect(names).toEqual(expect.arrayContaining(["BROWSER", "CI", "HOME", "LANG", "PATH"]));
    expect(names.filter((name) => /KEY|TOKEN|SECRET|PASSWORD|DATABASE|REDIS|OPENAI|NEXTAUTH|GITHUB|PATCHBAY/i.test(name))).toEqual([]);
    expect(environ.out).not.toMatch(/sk-|postgres(ql)?:\/\/|redis:\/\//);
    const sockets = await sh("ls -la /var/run/docker.sock /run/docker.sock /docker.sock 2>&1 | grep -c 'No such file'");
    expect(sockets.out.trim()).toBe("3");
  });

  it("a symlink to a host-looking path leaves the sandbox as a link in the patch, never as the file's content", async () => {
    const setup = await sh(
      "cd /workspace && git init -q && echo base > README.md && git add -A && git commit -qm base && git rev-parse HEAD && ln -s /etc/passwd leak && ln -s / root-dir",
    );
    expect(setup.code).toBe(0);
    const base = setup.out.trim();
    const diff = await extractDiff(driver, box, base);
    expect(diff.patch).toContain("new file mode 120000");
    expect(diff.patch).toContain("+/etc/passwd");
    expect(diff.patch).not.toMatch(/root:x:0:0/);
    expect(diff.files.sort()).toEqual(["leak", "root-dir"]);
  });
});
