// The key of a kept "before" picture: everything the picture depends on changes it, nothing else does.
import { describe, expect, it } from "vitest";
import { type BeforePictureIdentity, beforePictureKey } from "./before-pictures";

const identity: BeforePictureIdentity = {
  environmentId: "env1",
  commit: "a".repeat(40),
  route: "/pricing",
  viewport: { name: "desktop", width: 1280, height: 800 },
  app: { installCommand: "npm ci", startCommand: "npm start", port: 3000, readinessPath: "/" },
  sandbox: { image: "patchbay-sandbox:latest", env: { A: "1", B: "2" }, setupScript: "npm ci" },
};

describe("beforePictureKey", () => {
  it("is the same for the same picture, whatever the order of the variables", () => {
    expect(beforePictureKey({ ...identity, sandbox: { ...identity.sandbox, env: { B: "2", A: "1" } } })).toBe(beforePictureKey(identity));
  });

  it("differs when anything the picture depends on differs", () => {
    const variants: BeforePictureIdentity[] = [
      { ...identity, environmentId: "env2" },
      { ...identity, commit: "b".repeat(40) },
      { ...identity, route: "/" },
      { ...identity, viewport: { ...identity.viewport, width: 1279 } },
      { ...identity, viewport: { ...identity.viewport, name: "wide" } },
      { ...identity, app: { ...identity.app, installCommand: undefined } },
      { ...identity, app: { ...identity.app, startCommand: "npm run dev" } },
      { ...identity, app: { ...identity.app, port: 3001 } },
      { ...identity, app: { ...identity.app, readinessPath: "/healthz" } },
      { ...identity, sandbox: { ...identity.sandbox, image: "other:latest" } },
      { ...identity, sandbox: { ...identity.sandbox, env: { A: "1", B: "3" } } },
      { ...identity, sandbox: { ...identity.sandbox, setupScript: null } },
    ];
    const keys = new Set([identity, ...variants].map(beforePictureKey));
    expect(keys.size).toBe(variants.length + 1);
  });
});
