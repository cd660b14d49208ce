import { describe, expect, it } from "vitest";
import { sandboxUserOnHost } from "./sandbox-user";

describe("sandboxUserOnHost", () => {
  it("is uid/gid 1000 on an engine without userns-remap", () => {
    expect(sandboxUserOnHost({ SecurityOptions: ["name=seccomp,profile=default"], DockerRootDir: "/var/lib/docker" })).toEqual({ uid: 1000, gid: 1000 });
  });

  it("is shifted by the remap offset that names the data root", () => {
    // docker info on an engine started with "userns-remap": "default" (subuid dockremap:100000:65536).
    const info = { SecurityOptions: ["name=seccomp,profile=default", "name=userns"], DockerRootDir: "/var/lib/docker/100000.100000" };
    expect(sandboxUserOnHost(info)).toEqual({ uid: 101000, gid: 101000 });
    expect(sandboxUserOnHost({ ...info, DockerRootDir: "/srv/docker/231072.231073" })).toEqual({ uid: 232072, gid: 232073 });
  });

  it("says so when a remapping engine's data root does not tell the offset", () => {
    expect(sandboxUserOnHost({ SecurityOptions: ["name=userns"], DockerRootDir: "/var/lib/docker" })).toMatchObject({
      unknown: expect.stringContaining("/var/lib/docker"),
    });
  });
});
