import { describe, expect, it } from "vitest";
import { engineHardeningGaps } from "./engine-hardening";

describe("engineHardeningGaps", () => {
  it("names every engine-wide protection that is missing", () => {
    const gaps = engineHardeningGaps({ securityOptions: [], defaultBridgeIcc: "true" });
    expect(gaps).toHaveLength(3);
    expect(gaps.join("\n")).toMatch(/userns-remap/);
    expect(gaps.join("\n")).toMatch(/seccomp/);
    expect(gaps.join("\n")).toMatch(/icc/);
  });

  it("has nothing to say about an engine with userns-remap, seccomp and icc off", () => {
    // SecurityOptions as `docker info` reports them on such an engine.
    const securityOptions = ["name=apparmor", "name=seccomp,profile=builtin", "name=userns"];
    expect(engineHardeningGaps({ securityOptions, defaultBridgeIcc: "false" })).toEqual([]);
  });

  it("accepts rootless mode in place of userns-remap, and reads only whole option names", () => {
    expect(engineHardeningGaps({ securityOptions: ["name=seccomp,profile=default", "name=rootless"], defaultBridgeIcc: "false" })).toEqual([]);
    expect(engineHardeningGaps({ securityOptions: ["name=seccomp,profile=default", "name=usernsish"], defaultBridgeIcc: "false" })).toHaveLength(1);
  });

  it("treats an engine that does not report icc (no default bridge) as allowing it", () => {
    expect(engineHardeningGaps({ securityOptions: ["name=seccomp", "name=userns"], defaultBridgeIcc: undefined })).toHaveLength(1);
  });
});
