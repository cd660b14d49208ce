// The hardened sandbox as Docker actually created it (docs/security.md §3, §4): checked on a real
// container from the real driver, both from the outside (inspect) and from the inside (execs).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerDriver } from "@/worker/sandbox/docker-driver";
import { engineHardeningGaps, readEngineFacts } from "@/worker/sandbox/engine-hardening";
import type { ExecOptions, SandboxHandle, SandboxSpec } from "@/worker/sandbox/driver";
import { containerName, homeVolumeName, workspaceVolumeName } from "@/worker/sandbox/labels";
import { containerExists, sandboxSpec, volumeExists } from "@/test/support/sandbox";
import { containersOf, docker, TEST_SANDBOX_IMAGE } from "@/test/support/test-worker";

const driver = createDockerDriver(docker, { allowedImages: [TEST_SANDBOX_IMAGE] });
const created: string[] = [];
let spec: SandboxSpec;
let sandbox: SandboxHandle;

async function sh(command: string, options: Partial<ExecOptions> = {}) {
  const result = await driver.exec(sandbox, ["bash", "-c", command], { timeoutSec: 20, maxOutputBytes: 4 * 1024 * 1024, ...options });
  return { ...result, out: result.stdout.toString("utf8"), err: result.stderr.toString("utf8") };
}

beforeAll(async () => {
  spec = sandboxSpec();
  created.push(spec.attemptId);
  sandbox = await driver.ensure(spec);
});

afterAll(async () => {
  for (const attemptId of created) await driver.destroy(attemptId).catch(() => undefined);
});

describe("docker driver: the container as created", () => {
  it("has every hardening field of the template", async () => {
    const info = await docker.getContainer(sandbox.containerId).inspect();
    const host = info.HostConfig as typeof info.HostConfig & { CgroupnsMode?: string; Mounts?: { Type: string; Source: string; Target: string }[] };
    expect(info.Name).toBe(`/${containerName(spec.attemptId)}`);
    expect(info.State.Running).toBe(true);
    expect(info.Config.User).toBe("1000:1000");
    expect(info.Config.Env.join("\n")).not.toMatch(/KEY|TOKEN|SECRET|PASSWORD/i);
    expect(info.Config.Labels).toMatchObject({
      "patchbay.managed": "true",
      "patchbay.attempt-id": spec.attemptId,
      "patchbay.task-id": spec.taskId,
      "patchbay.worker-id": spec.workerId,
      "patchbay.expires-at": spec.expiresAt.toISOString(),
    });
    expect(host.Privileged).toBe(false);
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.NetworkMode).toBe("none");
    expect(host.PidsLimit).toBe(512);
    expect(host.Memory).toBe(spec.limits.memoryBytes);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.NanoCpus).toBe(spec.limits.nanoCpus);
    expect(host.SecurityOpt).toContain("no-new-privileges:true");
    expect(host.SecurityOpt?.join(",")).not.toContain("unconfined");
    expect(host.Binds ?? []).toEqual([]);
    expect(host.Devices ?? []).toEqual([]);
    expect(Object.keys(host.PortBindings ?? {})).toEqual([]);
    expect(host.PublishAllPorts).toBe(false);
    expect(host.IpcMode).toBe("private");
    expect(host.CgroupnsMode).toBe("private");
    expect(host.PidMode ?? "").toBe("");
    expect(host.UsernsMode ?? "").toBe("");
    expect(host.Init).toBe(true);
    expect(host.AutoRemove).toBe(false);
    expect(host.RestartPolicy?.Name).toBe("no");
    // The only mounts are the labelled workspace and home volumes: never a host path, never the docker socket.
    // (Docker lists mounts in no fixed order.)
    const mounts = info.Mounts.map((mount) => ({ Type: mount.Type, Name: mount.Name, Destination: mount.Destination }));
    expect(mounts.sort((a, b) => a.Destination.localeCompare(b.Destination))).toEqual([
      { Type: "volume", Name: homeVolumeName(spec.attemptId), Destination: "/home/agent" },
      { Type: "volume", Name: workspaceVolumeName(spec.attemptId), Destination: "/workspace" },
    ]);
    const volume = await docker.getVolume(workspaceVolumeName(spec.attemptId)).inspect();
    expect(volume.Labels).toMatchObject({ "patchbay.managed": "true", "patchbay.attempt-id": spec.attemptId });
  });

  it("rejects an image that is not on the allowlist", async () => {
    await expect(driver.ensure(sandboxSpec({ image: "debian:latest" }))).rejects.toThrow(/not in PATCHBAY_SANDBOX_IMAGES/);
  });
});

describe("docker engine hardening (read at worker start)", () => {
  it("reads the engine's security options and the default bridge's icc as the docker CLI reports them", async () => {
    const facts = await readEngineFacts(docker);
    const cli = (format: string, ...args: string[]) => execFileSync("docker", [...args, "--format", format], { encoding: "utf8" }).trim();
    expect(facts.securityOptions).toEqual(JSON.parse(cli("{{json .SecurityOptions}}", "info")));
    expect(facts.defaultBridgeIcc ?? "").toBe(
      cli('{{index .Options "com.docker.network.bridge.enable_icc"}}', "network", "inspect", "bridge").replace("<no value>", ""),
    );
    // What the worker prints follows from those facts (the engine npm start runs has icc off).
    expect(engineHardeningGaps(facts).some((gap) => gap.includes("icc"))).toBe(facts.defaultBridgeIcc !== "false");
  });
});

describe("docker driver: inside the sandbox", () => {
  it("runs as uid 1000 with no capabilities", async () => {
    const id = await sh("id -u; id -g");
    expect(id.out).toBe("1000\n1000\n");
    const status = await sh("grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status");
    expect(status.exitCode).toBe(0);
    expect(status.out).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(status.out).toMatch(/^CapPrm:\s+0000000000000000$/m);
    // With no-new-privileges a setuid binary cannot raise them either.
    expect((await sh("grep NoNewPrivs /proc/self/status")).out).toMatch(/NoNewPrivs:\s+1/);
  });

  it("is an unprivileged user on the host, even as root in the container (userns-remap)", async () => {
    // The engine npm start runs remaps user namespaces (scripts/setup/docker-daemon.json): container id 0
    // is the start of a subordinate range on the host, so a kernel escape lands as nobody in particular.
    const map = (await sh("cat /proc/self/uid_map")).out.trim().split(/\s+/).map(Number);
    expect(map[0], "the map starts at container uid 0").toBe(0);
    expect(map[1], "container root is not host root: restart dockerd with scripts/setup/docker-daemon.json").toBeGreaterThan(0);
    expect(map[2]).toBeLessThan(4294967295);
  });

  it("cannot write the root filesystem but can write /workspace, /tmp and $HOME", async () => {
    const root = await sh("touch /pwned");
    expect(root.exitCode).not.toBe(0);
    expect(root.err).toMatch(/Read-only file system|Permission denied/);
    const usr = await sh("echo x > /usr/bin/pwned");
    expect(usr.exitCode).not.toBe(0);
    const writable = await sh('echo ok > /workspace/w && cat /workspace/w && touch /tmp/t "$HOME/h" && echo done');
    expect(writable.exitCode).toBe(0);
    expect(writable.out).toBe("ok\ndone\n");
  });

  it("has no docker socket and no network", async () => {
    expect((await sh("test -e /var/run/docker.sock || test -e /run/docker.sock")).exitCode).not.toBe(0);
    const interfaces = await sh("ls /sys/class/net");
    expect(interfaces.out.split(/\s+/).filter(Boolean)).toEqual(["lo"]);
    const dns = await sh("getent hosts example.com");
    expect(dns.exitCode).not.toBe(0);
    expect(dns.out).toBe("");
    const http = await sh("curl -sS --max-time 5 http://93.184.215.14/ -o /dev/null; echo exit=$?");
    expect(http.out).not.toBe("exit=0\n");
    expect(http.err).toMatch(/Could not connect|Network is unreachable|Failed to connect|Couldn't connect/i);
  });

  it("stops an overrunning command inside the container and reports the timeout", async () => {
    const started = Date.now();
    const result = await sh("sleep 30", { timeoutSec: 2 });
    expect([124, 137]).toContain(result.exitCode);
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(8_000);
    // The container is still usable afterwards (only the command was stopped).
    expect((await sh("echo alive")).out).toBe("alive\n");
    expect((await sh("pgrep -fx 'sleep 30' || echo none")).out).toBe("none\n");
  });

  it("cuts oversized output at maxOutputBytes, marks it truncated and stops the command quickly", async () => {
    const maxOutputBytes = 64 * 1024;
    const started = Date.now();
    const result = await sh("yes 0123456789abcdef | head -c 30G; echo never-here", { maxOutputBytes, timeoutSec: 60 });
    expect(result.truncated).toBe(true);
    expect(result.stdout.length + result.stderr.length).toBeLessThanOrEqual(maxOutputBytes);
    expect(result.stdout.length).toBeGreaterThan(maxOutputBytes / 2);
    expect(result.out).not.toContain("never-here");
    expect(result.timedOut).toBe(false);
    // Stopped, not left running until its 60 s timeout: dockerd would otherwise keep draining it.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await sh("pgrep -x yes; pgrep -x head; echo checked")).out).toBe("checked\n");
    const escaped = await sh("(yes > /dev/stdout &) ; cat /dev/zero", { maxOutputBytes, timeoutSec: 60 });
    expect(escaped.truncated).toBe(true);
    expect((await sh("pgrep -x yes; pgrep -x cat; echo checked")).out).toBe("checked\n");
    // Interleaved stdout/stderr also counts against one budget.
    const both = await sh("for i in $(seq 1 20000); do echo out-$i; echo err-$i >&2; done", { maxOutputBytes: 8 * 1024 });
    expect(both.truncated).toBe(true);
    expect(both.stdout.length + both.stderr.length).toBeLessThanOrEqual(8 * 1024);
    // Output under the cap is returned whole and not marked.
    const small = await sh("seq 1 1000");
    expect(small.truncated).toBe(false);
    expect(small.out.split("\n").filter(Boolean)).toHaveLength(1000);
  });

  it("gives up on a command when the attempt is aborted, also when it was aborted before the exec", async () => {
    const running = new AbortController();
    setTimeout(() => running.abort(), 500);
    const started = Date.now();
    await expect(sh("sleep 30", { timeoutSec: 10, signal: running.signal })).rejects.toMatchObject({ code: "cancelled" });
    expect(Date.now() - started).toBeLessThan(3_000);

    // Cancel can land between two tool calls: the next exec must not start a command nobody waits for.
    const before = Date.now();
    await expect(sh("sleep 1; echo ran > /workspace/should-not-exist", { timeoutSec: 10, signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: "cancelled",
    });
    expect(Date.now() - before).toBeLessThan(3_000);
    expect((await sh("sleep 2; test -e /workspace/should-not-exist && echo ran || echo never")).out).toBe("never\n");
  });

  it("passes stdin to the command, small and 1 MiB", async () => {
    const small = await driver.exec(sandbox, ["bash", "-c", "cat > /workspace/small.txt"], { timeoutSec: 20, maxOutputBytes: 1024, stdin: "hello\nworld\n" });
    expect(small.exitCode).toBe(0);
    expect((await sh("cat /workspace/small.txt")).out).toBe("hello\nworld\n");

    const payload = randomBytes(1024 * 1024);
    const write = await driver.exec(sandbox, ["bash", "-c", "cat > /workspace/big.bin"], { timeoutSec: 20, maxOutputBytes: 1024, stdin: payload });
    expect(write.exitCode).toBe(0);
    const hash = await sh("sha256sum /workspace/big.bin | cut -d' ' -f1; stat -c %s /workspace/big.bin");
    expect(hash.out).toBe(`${createHash("sha256").update(payload).digest("hex")}\n${payload.length}\n`);
    const readBack = await driver.exec(sandbox, ["cat", "/workspace/big.bin"], { timeoutSec: 20, maxOutputBytes: 2 * 1024 * 1024 });
    expect(readBack.truncated).toBe(false);
    expect(readBack.stdout.equals(payload)).toBe(true);
  });
});

describe("docker driver: lifecycle", () => {
  it("prepareWorkspace + ensure with the same attempt id replace the container, its workspace and its home", async () => {
    const retry = sandboxSpec();
    created.push(retry.attemptId);
    await driver.prepareWorkspace(retry);
    const first = await driver.ensure(retry);
    await driver.exec(first, ["bash", "-c", "echo old > /workspace/left-over && echo old > $HOME/left-over"], { timeoutSec: 10, maxOutputBytes: 1024 });
    // The predecessor died while a preview of its result ran: that preview holds the workspace too.
    const network = await driver.ensureNetwork(retry);
    const preview = await driver.ensure({ ...retry, role: "preview-result", network });

    await driver.prepareWorkspace(retry);
    expect(await containerExists(preview.containerId)).toBe(false);
    const second = await driver.ensure(retry);
    expect(second.containerId).not.toBe(first.containerId);
    expect(second.name).toBe(first.name);
    expect(await containerExists(first.containerId)).toBe(false);
    const containers = await containersOf(retry.attemptId);
    expect(containers.map((container) => container.Id)).toEqual([second.containerId]);
    expect(containers[0]?.State).toBe("running");
    // The retry starts from a clean workspace, not the predecessor's.
    const listing = await driver.exec(second, ["ls", "-A", "/workspace"], { timeoutSec: 10, maxOutputBytes: 1024 });
    expect(listing.stdout.toString()).toBe("");
    const home = await driver.exec(second, ["bash", "-c", "test -e $HOME/left-over && echo kept || echo clean"], { timeoutSec: 10, maxOutputBytes: 1024 });
    expect(home.stdout.toString().trim()).toBe("clean");
  });

  it("saves a setup result without tracked files and restores it into a new attempt's volumes", async () => {
    const source = sandboxSpec();
    const target = sandboxSpec();
    created.push(source.attemptId, target.attemptId);
    await driver.prepareWorkspace(source);
    const box = await driver.ensure(source);
    const setup = [
      "cd /workspace && git init -q && echo node_modules/ > .gitignore && echo tracked > tracked.txt && git add -A && git -c user.email=a@b -c user.name=a commit -qm init",
      "mkdir -p node_modules/dep && echo installed > node_modules/dep/index.js && echo generated > untracked.txt && echo cached > $HOME/.cache-file",
    ].join(" && ");
    expect((await driver.exec(box, ["bash", "-c", setup], { timeoutSec: 30, maxOutputBytes: 4096 })).exitCode).toBe(0);
    const cache = { workspace: `patchbay-test-cache-${source.attemptId}-ws`, home: `patchbay-test-cache-${source.attemptId}-home` };
    const bytes = await driver.saveCache(source, cache, { "patchbay.test": "true" });
    expect(bytes).toBeGreaterThan(0);
    try {
      await driver.prepareWorkspace(target, cache);
      const restored = await driver.ensure(target);
      const listing = await driver.exec(
        restored,
        ["bash", "-c", "cd /workspace && ls -A | sort | tr '\\n' ' '; cat node_modules/dep/index.js $HOME/.cache-file"],
        { timeoutSec: 10, maxOutputBytes: 4096 },
      );
      // Untracked and ignored files and the home come back; tracked files and .git come from each task's own checkout.
      expect(listing.stdout.toString()).toBe("node_modules untracked.txt installed\ncached\n");
    } finally {
      await driver.removeVolumes([cache.workspace, cache.home]);
    }
  });

  it("destroy removes the container and the workspace volume, and is idempotent", async () => {
    const doomed = sandboxSpec();
    created.push(doomed.attemptId);
    const handle = await driver.ensure(doomed);
    expect(await containerExists(handle.containerId)).toBe(true);
    expect(await volumeExists(workspaceVolumeName(doomed.attemptId))).toBe(true);

    await driver.destroy(doomed.attemptId);
    expect(await containersOf(doomed.attemptId)).toEqual([]);
    expect(await volumeExists(workspaceVolumeName(doomed.attemptId))).toBe(false);
    await expect(driver.destroy(doomed.attemptId)).resolves.toBeUndefined();
    // Never created at all: also fine.
    await expect(driver.destroy(sandboxSpec().attemptId)).resolves.toBeUndefined();
  });
});
