import { describe, expect, it } from "vitest";
import { hostAllowed, setupFieldsSchema } from "./setup-config";

describe("environment setup fields", () => {
  it("accept a typical real-project setup", () => {
    const parsed = setupFieldsSchema.parse({
      nodeVersion: "22",
      setupScript: "corepack enable && pnpm install --frozen-lockfile",
      env: { NODE_ENV: "test", FEATURE_FLAGS: "a,b" },
      secrets: { NPM_TOKEN: "npm_1234567890", OLD_TOKEN: null },
      network: { agent: "allowlist", allow: ["*.example.com", "API.Example.org"] },
      cacheKeyFiles: ["tools/*.json"],
    });
    expect(parsed.network?.allow).toEqual(["*.example.com", "api.example.org"]);
  });

  it("refuse what Patchbay sets itself, bad hosts and short secrets, with a message", () => {
    const problem = (input: unknown) => setupFieldsSchema.safeParse(input).error?.issues[0]?.message;
    expect(problem({ env: { PATH: "/x" } })).toMatch(/set by Patchbay/);
    expect(problem({ env: { https_proxy: "x" } })).toMatch(/set by Patchbay/);
    expect(problem({ env: { "1BAD": "x" } })).toMatch(/letters, digits/);
    expect(problem({ secrets: { TOKEN: "short" } })).toMatch(/at least 8/);
    expect(problem({ network: { agent: "sometimes" } })).toBeDefined();
    expect(problem({ network: { allow: ["https://example.com"] } })).toMatch(/host name/);
    expect(problem({ network: { allow: ["example.com:8080"] } })).toMatch(/host name/);
    expect(problem({ cacheKeyFiles: ["../outside"] })).toMatch(/inside the repository/);
    expect(problem({ nodeVersion: "18" })).toBeDefined();
  });

  it("match hosts against the default registries and wildcards", () => {
    expect(hostAllowed("registry.npmjs.org", [])).toBe(true);
    expect(hostAllowed("example.com", [])).toBe(false);
    expect(hostAllowed("cdn.example.com", ["*.example.com"])).toBe(true);
    expect(hostAllowed("example.com", ["*.example.com"])).toBe(true);
    expect(hostAllowed("badexample.com", ["*.example.com"])).toBe(false);
  });
});
