import { describe, expect, it } from "vitest";
import { buildContainerOptions, clampLimits, SANDBOX_USER } from "./container-template";
import type { SandboxSpec } from "./driver";
import { LABEL_ATTEMPT, LABEL_EXPIRES, LABEL_INSTANCE, LABEL_MANAGED, LABEL_ROLE, LABEL_TASK, LABEL_WORKER } from "./labels";

const spec: SandboxSpec = {
  role: "agent",
  network: null,
  instanceId: "inst_1",
  attemptId: "att_123",
  taskId: "task_456",
  workerId: "worker-a",
  image: "patchbay-sandbox:1",
  limits: { memoryBytes: 2 * 1024 ** 3, nanoCpus: 2e9 },
  expiresAt: new Date("2026-11-25T10:00:00.000Z"),
};

describe("buildContainerOptions", () => {
  const options = buildContainerOptions(spec);
  const host = options.HostConfig;

  it("grants no privileges or capabilities", () => {
    expect(host.Privileged).toBe(false);
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.CapAdd).toEqual([]);
    expect(host.SecurityOpt).toContain("no-new-privileges:true");
    for (const opt of host.SecurityOpt ?? []) {
      expect(opt.replace(/\s/g, "")).not.toMatch(/(seccomp|apparmor)[=:]unconfined/);
      expect(opt).not.toMatch(/label[=:]disable/);
    }
  });

  it("exposes nothing of the host: no binds, ports, devices or host namespaces", () => {
    expect(host.Binds).toEqual([]);
    expect(host.PortBindings).toEqual({});
    expect(host.PublishAllPorts).toBe(false);
    expect(host.Devices).toEqual([]);
    expect(host.DeviceRequests ?? []).toEqual([]);
    expect(host.IpcMode).toBe("private");
    expect(host.CgroupnsMode).toBe("private");
    // Unset means Docker's private default; "host" would share the host's namespace.
    expect(host.UsernsMode ?? "").not.toBe("host");
    expect(host.PidMode ?? "").not.toBe("host");
    expect(host.UTSMode ?? "").not.toBe("host");
    expect(host.VolumesFrom ?? []).toEqual([]);
    // The only mounts are the attempt's own named volumes (workspace and home), never a host path (e.g. docker.sock).
    expect(host.Mounts).toEqual([
      { Type: "volume", Source: "patchbay-ws-att_123", Target: "/workspace", ReadOnly: false },
      { Type: "volume", Source: "patchbay-home-att_123", Target: "/home/agent", ReadOnly: false },
    ]);
    for (const role of ["agent", "setup", "preview-base", "preview-result", "ask", "proxy", "probe"] as const) {
      const mounts = buildContainerOptions({ ...spec, role }).HostConfig.Mounts ?? [];
      expect(
        mounts.every((mount) => mount.Type === "volume" && mount.Source?.startsWith("patchbay-")),
        role,
      ).toBe(true);
      expect(buildContainerOptions({ ...spec, role }).HostConfig.Binds, role).toEqual([]);
    }
  });

  it("runs as a non-root user on a read-only root filesystem", () => {
    expect(options.User).toBe("1000:1000");
    expect(SANDBOX_USER).toBe("1000:1000");
    expect(options.User?.split(":")[0]).not.toBe("0");
    expect(host.ReadonlyRootfs).toBe(true);
  });

  it("mounts every tmpfs nosuid and nodev", () => {
    const tmpfs = Object.entries(host.Tmpfs ?? {});
    expect(tmpfs.length).toBeGreaterThan(0);
    for (const [path, mountOptions] of tmpfs) {
      const flags = mountOptions.split(",");
      expect(flags, path).toContain("nosuid");
      expect(flags, path).toContain("nodev");
    }
  });

  it("has no network by default and the given network when passed", () => {
    expect(host.NetworkMode).toBe("none");
    expect(buildContainerOptions({ ...spec, network: null }).HostConfig.NetworkMode).toBe("none");
    expect(buildContainerOptions({ ...spec, network: "patchbay-net-att_123" }).HostConfig.NetworkMode).toBe("patchbay-net-att_123");
  });

  it("limits memory without swap, pids and cpu from the spec", () => {
    expect(host.Memory).toBe(spec.limits.memoryBytes);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.NanoCpus).toBe(spec.limits.nanoCpus);
    expect(host.PidsLimit).toBe(512);
  });

  it("labels the container for the reaper", () => {
    expect(options.Labels).toEqual({
      [LABEL_MANAGED]: "true",
      [LABEL_INSTANCE]: "inst_1",
      [LABEL_TASK]: "task_456",
      [LABEL_ATTEMPT]: "att_123",
      [LABEL_WORKER]: "worker-a",
      [LABEL_EXPIRES]: "2026-11-25T10:00:00.000Z",
      [LABEL_ROLE]: "agent",
    });
    expect(Object.keys(options.Labels ?? {})).toEqual(
      expect.arrayContaining(["patchbay.managed", "patchbay.instance", "patchbay.task-id", "patchbay.attempt-id", "patchbay.worker-id", "patchbay.expires-at"]),
    );
  });

  it("names preview sandboxes apart from the agent's and gives the base and patched previews their own workspaces", () => {
    const base = buildContainerOptions({ ...spec, role: "preview-base", network: "patchbay-net-att_123" });
    const result = buildContainerOptions({ ...spec, role: "preview-result", network: "patchbay-net-att_123" });
    const patched = buildContainerOptions({ ...spec, role: "preview-patched", network: "patchbay-net-att_123" });
    expect([base.name, result.name, patched.name]).toEqual([
      "patchbay-att_123-preview-base",
      "patchbay-att_123-preview-result",
      "patchbay-att_123-preview-patched",
    ]);
    expect(base.HostConfig.Mounts?.[0]?.Source).toBe("patchbay-ws-att_123-base");
    expect(result.HostConfig.Mounts?.[0]?.Source).toBe("patchbay-ws-att_123");
    expect(patched.HostConfig.Mounts?.[0]?.Source).toBe("patchbay-ws-att_123-patched");
    // Both previews may be filled from the setup cache at once: their copy sandboxes have names of their own.
    const from = { workspace: "patchbay-cache-x-ws", home: "patchbay-cache-x-home" };
    const copyInto = (workspace: string) => buildContainerOptions({ ...spec, role: "copy", copy: { from, to: { workspace } } }).name;
    expect(copyInto("patchbay-ws-att_123")).toBe("patchbay-att_123-copy");
    expect(new Set([copyInto("patchbay-ws-att_123-base"), copyInto("patchbay-ws-att_123-patched"), copyInto("patchbay-ws-att_123")]).size).toBe(3);
    expect(base.HostConfig.NetworkMode).toBe("patchbay-net-att_123");
    expect(base.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(base.User).toBe("1000:1000");
    // Ask mode reads the agent's checkout through a read-only mount, with no network.
    const ask = buildContainerOptions({ ...spec, role: "ask" });
    expect(ask.HostConfig.Mounts).toEqual([{ Type: "volume", Source: "patchbay-ws-att_123", Target: "/workspace", ReadOnly: true }]);
    expect(ask.HostConfig.NetworkMode).toBe("none");
  });

  it("is named after the attempt, so a retry replaces its predecessor", () => {
    expect(options.name).toBe("patchbay-att_123");
    expect(buildContainerOptions({ ...spec, workerId: "other", expiresAt: new Date(0) }).name).toBe("patchbay-att_123");
    expect(buildContainerOptions({ ...spec, attemptId: "att_999" }).name).toBe("patchbay-att_999");
  });

  it("uses the requested image", () => {
    expect(options.Image).toBe("patchbay-sandbox:1");
  });

  it("puts only HOME, LANG, CI, BROWSER and PATH in the environment by default, and no secret-looking value", () => {
    const env = options.Env ?? [];
    const keys = env.map((entry) => entry.slice(0, entry.indexOf("=")));
    expect(new Set(keys)).toEqual(new Set(["HOME", "LANG", "CI", "BROWSER", "PATH"]));
    expect(env).toContain("BROWSER=none");
    for (const entry of env) {
      expect(entry).not.toMatch(/key|token|secret|password|sk-|gh[pousr]_|github_pat_/i);
    }
  });

  it("adds the environment's plain variables and its PATH, and cannot be told to change HOME", () => {
    const env = buildContainerOptions({ ...spec, env: { NODE_ENV: "test", PATH: "/opt/node-22/bin:/usr/bin", HOME: "/root" } }).Env ?? [];
    expect(env).toContain("NODE_ENV=test");
    expect(env.filter((entry) => entry.startsWith("PATH="))).toEqual(["PATH=/opt/node-22/bin:/usr/bin"]);
    // Docker keeps the last of two equal names: ours.
    expect(env.filter((entry) => entry.startsWith("HOME=")).at(-1)).toBe("HOME=/home/agent");
  });

  it("gives setup the attempt's volumes and the given network, the proxy squid as its command and no workspace", () => {
    const setup = buildContainerOptions({ ...spec, role: "setup", network: "patchbay-egress-att_123" });
    expect(setup.HostConfig.Mounts?.map((mount) => mount.Source)).toEqual(["patchbay-ws-att_123", "patchbay-home-att_123"]);
    expect(setup.HostConfig.NetworkMode).toBe("patchbay-egress-att_123");
    expect(setup.User).toBe("1000:1000");
    const proxy = buildContainerOptions({ ...spec, role: "proxy", network: "patchbay-egress-att_123", proxyConfig: "http_port 3128\n" });
    expect(proxy.HostConfig.Mounts).toEqual([]);
    expect(proxy.Entrypoint?.[0]).toBe("bash");
    expect(proxy.Cmd).toEqual(["http_port 3128\n"]);
    expect(proxy.User).toBe("1000:1000");
    expect(proxy.HostConfig.ReadonlyRootfs).toBe(true);
    expect(proxy.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(proxy.name).toBe("patchbay-att_123-proxy");
  });

  it("mounts a copy sandbox's sources read-only", () => {
    const copy = buildContainerOptions({
      ...spec,
      role: "copy",
      copy: { from: { workspace: "cache-ws", home: "cache-home" }, to: { workspace: "patchbay-ws-att_123", home: "patchbay-home-att_123" } },
    });
    expect(copy.HostConfig.Mounts).toEqual([
      { Type: "volume", Source: "cache-ws", Target: "/copy/from/workspace", ReadOnly: true },
      { Type: "volume", Source: "patchbay-ws-att_123", Target: "/workspace", ReadOnly: false },
      { Type: "volume", Source: "cache-home", Target: "/copy/from/home", ReadOnly: true },
      { Type: "volume", Source: "patchbay-home-att_123", Target: "/home/agent", ReadOnly: false },
    ]);
    expect(copy.HostConfig.NetworkMode).toBe("none");
  });

  it("is the same whatever is in the worker's own environment", () => {
    const before = JSON.stringify(buildContainerOptions(spec));
    process.env.OPENAI_API_KEY = "sk-test-not-a-real-key-0123456789";
    try {
      const after = JSON.stringify(buildContainerOptions(spec));
      expect(after).toBe(before);
      expect(after).not.toContain("sk-test-not-a-real-key");
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });
});

describe("clampLimits", () => {
  const MiB = 1024 * 1024;

  it("passes values within bounds through", () => {
    expect(clampLimits(2048, 2)).toEqual({ memoryBytes: 2048 * MiB, nanoCpus: 2e9 });
    expect(clampLimits(1024, 1.5)).toEqual({ memoryBytes: 1024 * MiB, nanoCpus: 1.5e9 });
  });

  it("raises values below the minimum", () => {
    expect(clampLimits(1, 0.01)).toEqual({ memoryBytes: 256 * MiB, nanoCpus: 0.25e9 });
    expect(clampLimits(0, 0)).toEqual({ memoryBytes: 256 * MiB, nanoCpus: 0.25e9 });
    expect(clampLimits(-100, -4)).toEqual({ memoryBytes: 256 * MiB, nanoCpus: 0.25e9 });
  });

  it("lowers values above the maximum", () => {
    expect(clampLimits(1_000_000, 1000)).toEqual({ memoryBytes: 65536 * MiB, nanoCpus: 64e9 });
  });

  it("returns whole nanoCpus", () => {
    expect(Number.isInteger(clampLimits(512, 1 / 3).nanoCpus)).toBe(true);
  });
});
