import { describe, expect, it } from "vitest";
import { cacheKey, cacheKeyParts, keyFiles, missReason } from "./cache-key";

const tree = [
  { path: "package.json", oid: "a1" },
  { path: "package-lock.json", oid: "b1" },
  { path: "packages/web/pnpm-lock.yaml", oid: "c1" },
  { path: "requirements-dev.txt", oid: "d1" },
  { path: "src/index.ts", oid: "e1" },
  { path: "vendor/node_modules/x/package-lock.json", oid: "f1" },
  { path: "tools/versions.json", oid: "g1" },
];

const parts = (overrides: Partial<Parameters<typeof cacheKeyParts>[0]> = {}) =>
  cacheKeyParts({ imageId: "sha256:img", setupScript: "npm ci", env: { A: "1" }, nodeVersion: "20", files: keyFiles(tree, []), ...overrides });

describe("setup cache keys", () => {
  it("take lockfiles anywhere (not package.json, sources or vendored node_modules) plus the environment's globs", () => {
    expect(keyFiles(tree, [])).toEqual({ "package-lock.json": "b1", "packages/web/pnpm-lock.yaml": "c1", "requirements-dev.txt": "d1" });
    expect(Object.keys(keyFiles(tree, ["tools/*.json"]))).toContain("tools/versions.json");
  });

  it("change with each part and stay the same otherwise, whatever the env's key order", () => {
    const key = cacheKey(parts());
    expect(cacheKey(parts({ env: { A: "1" } }))).toBe(key);
    expect(cacheKey(cacheKeyParts({ imageId: "sha256:img", setupScript: "npm ci", env: { B: "2", A: "1" }, nodeVersion: "20", files: {} }))).toBe(
      cacheKey(cacheKeyParts({ imageId: "sha256:img", setupScript: "npm ci", env: { A: "1", B: "2" }, nodeVersion: "20", files: {} })),
    );
    for (const changed of [
      { imageId: "sha256:other" },
      { setupScript: "npm install" },
      { env: { A: "2" } },
      { nodeVersion: "22" },
      { files: { "package-lock.json": "b2" } },
    ]) {
      expect(cacheKey(parts(changed))).not.toBe(key);
    }
  });

  it("say why a task missed", () => {
    const before = parts();
    expect(missReason(before, null)).toBe("no cache yet");
    expect(missReason(parts({ files: { ...before.files, "package-lock.json": "b2" } }), before)).toBe("package-lock.json changed");
    expect(missReason(parts({ setupScript: "npm install" }), before)).toBe("the setup script changed");
    expect(missReason(parts({ nodeVersion: "22" }), before)).toBe("the Node.js version changed to 22");
    expect(missReason(parts({ imageId: "sha256:new" }), before)).toBe("the sandbox image changed");
    expect(missReason(parts({ env: { A: "2" } }), before)).toBe("the environment variables changed");
    const many = Object.fromEntries(["a.lock", "b/yarn.lock", "c/yarn.lock", "d/yarn.lock", "e/yarn.lock"].map((file) => [file, "x"]));
    expect(missReason(parts({ files: many }), before)).toMatch(/^.+, .+, .+ and \d+ more changed$/);
  });
});
