import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RepoCredential } from "@/lib/repos/repo-credential";
import { createMirrorCache, mirrorKey } from "./mirror-cache";

const url = "https://git.example.com/o/r.git";

describe("mirrorKey", () => {
  it("keeps the anonymous mirror's name as before credentials existed", () => {
    expect(mirrorKey(url, null)).toBe(createHash("sha256").update(url).digest("hex").slice(0, 32));
  });

  it("gives every credential its own mirror of the same URL", () => {
    const a: RepoCredential = { kind: "token", token: "token-of-team-a" };
    const b: RepoCredential = { kind: "token", token: "token-of-team-b" };
    const keys = [
      mirrorKey(url, null),
      mirrorKey(url, a),
      mirrorKey(url, b),
      mirrorKey(url, { ...a, username: "oauth2" }),
      mirrorKey("git@git.example.com:o/r.git", { kind: "deployKey", privateKey: "k" }),
      mirrorKey("https://git.example.com/o/other.git", a),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(mirrorKey(url, { kind: "token", token: "token-of-team-a" })).toBe(mirrorKey(url, a));
    expect(mirrorKey(url, a)).not.toContain("token-of-team-a");
  });
});

describe("createMirrorCache refuses before git runs", () => {
  const root = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-mirror-unit-")), "m");
  afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

  it("when the host resolves to a private address at fetch time", async () => {
    let answer = ["192.0.2.10"];
    const mirrors = createMirrorCache({ root, timeoutMs: 5_000, allowLocal: false, resolveHost: async () => answer });
    // The name resolved to a public address when the environment was saved; now it does not.
    answer = ["169.254.169.254"];
    await expect(mirrors.sync(url)).rejects.toThrow(/resolves to 169\.254\.169\.254, a link-local address/);
    expect(existsSync(root)).toBe(false);
  });

  it("when the credential does not fit the URL", async () => {
    const mirrors = createMirrorCache({ root, timeoutMs: 5_000, allowLocal: true });
    await expect(mirrors.sync("git@git.example.com:o/r.git", { kind: "token", token: "0123456789" })).rejects.toThrow(/https:\/\/ repository URLs only/);
    expect(existsSync(root)).toBe(false);
  });
});
