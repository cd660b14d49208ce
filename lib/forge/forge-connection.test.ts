import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  forgeApiBase,
  forgeConnectionSchema,
  forgeRepositoryPath,
  forgeSummary,
  openForgeConnection,
  pushUrl,
  pushUsername,
  sealForgeConnection,
} from "./forge-connection";

const KEY = Buffer.alloc(32, 7).toString("base64");

describe("forge connections", () => {
  it("seals the token and shows only kind, URL and user name", () => {
    const connection = forgeConnectionSchema.parse({ kind: "github", token: "github_pat_1234567890" });
    const stored = sealForgeConnection(KEY, connection);
    expect(JSON.stringify(stored)).not.toContain("github_pat_1234567890");
    expect(forgeSummary(stored)).toEqual({ kind: "github", url: "" });
    expect(openForgeConnection(stored, KEY)).toEqual({ kind: "github", url: "", token: "github_pat_1234567890" });
    expect(openForgeConnection(null, KEY)).toBeNull();
  });

  it("seals a GitHub App's private key instead, showing the app and installation only, and never both a key and a token", () => {
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const connection = forgeConnectionSchema.parse({ kind: "github", app: { id: "12345", installationId: 678, privateKey } });
    const stored = sealForgeConnection(KEY, connection);
    expect(JSON.stringify(stored)).not.toContain("PRIVATE KEY");
    expect(forgeSummary(stored)).toEqual({ kind: "github", url: "", app: { id: 12345, installationId: 678 } });
    expect(openForgeConnection(stored, KEY)).toEqual({ kind: "github", url: "", app: { id: 12345, installationId: 678, privateKey: privateKey.trim() } });
    // The key is sealed under its own name: moved into a token's place it does not open.
    const moved = { ...stored, app: undefined };
    expect(() => openForgeConnection(moved, KEY)).toThrow(/cannot be decrypted/);

    const problems = (input: unknown) => forgeConnectionSchema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];
    expect(problems({ kind: "github", app: { id: 1, installationId: 2, privateKey: "not a key" } })).toEqual([
      "The private key must be the app's PEM file as GitHub downloads it (-----BEGIN RSA PRIVATE KEY----- …).",
    ]);
    expect(problems({ kind: "gitlab", app: { id: 1, installationId: 2, privateKey } })).toEqual(["A GitHub App connects GitHub only; give a token."]);
    expect(problems({ kind: "github", token: "token-123456", app: { id: 1, installationId: 2, privateKey } })).toEqual([
      "Give a token or a GitHub App installation, not both.",
    ]);
    expect(problems({ kind: "github" })).toEqual(["A token (or a GitHub App installation) is needed to push and to open pull requests."]);
  });

  it("refuses a sealed token moved from another secret, and a key that does not open it", () => {
    const stored = sealForgeConnection(KEY, forgeConnectionSchema.parse({ kind: "git", url: "https://git.example.com/a/b.git", token: "token-123456" }));
    expect(() => openForgeConnection(stored, Buffer.alloc(32, 8).toString("base64"))).toThrow(/cannot be decrypted/);
    expect(() => openForgeConnection({ kind: "git" }, KEY)).toThrow("The forge connection stored on this environment cannot be read.");
  });

  it("says what is wrong with a connection before it is saved", () => {
    const problems = (input: unknown) => {
      const parsed = forgeConnectionSchema.safeParse(input);
      return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
    };
    expect(problems({ kind: "git", token: "token-123456" })).toEqual(["A git remote needs its push URL (https://host/owner/repo.git)."]);
    expect(problems({ kind: "github", url: "https://me:pw@ghe.example.com/api/v3", token: "token-123456" })).toEqual([
      "Put the user name and token in their own fields, not in the URL.",
    ]);
    expect(problems({ kind: "github", url: "ftp://x", token: "token-123456" })[0]).toMatch(/must start with https:\/\//);
    expect(problems({ kind: "github", token: "short" })).toEqual(["The token must have at least 8 characters."]);
    expect(problems({ kind: "gitlab", token: "token-123456" })).toEqual([]);
    expect(problems({ kind: "gitea", url: "https://gitea.example.com", token: "token-123456" })).toEqual([]);
    expect(problems({ kind: "gitea", token: "token-123456" })[0]).toMatch(/^Gitea and Forgejo have no public service/);
  });

  it("knows each forge's API base, push user name and where the branch is pushed", () => {
    expect(forgeApiBase({ kind: "github", url: "" })).toBe("https://api.github.com");
    expect(forgeApiBase({ kind: "github", url: "https://ghe.example.com/api/v3/" })).toBe("https://ghe.example.com/api/v3");
    expect(forgeApiBase({ kind: "git", url: "https://x/y.git" })).toBeNull();
    expect(pushUsername({ kind: "github" })).toBe("x-access-token");
    expect(pushUsername({ kind: "git", username: "deploy" })).toBe("deploy");
    expect(pushUrl({ kind: "github", url: "" }, "https://github.com/acme/web.git")).toBe("https://github.com/acme/web.git");
    expect(pushUrl({ kind: "git", url: "https://mirror.example.com/web.git" }, "git@github.com:acme/web.git")).toBe("https://mirror.example.com/web.git");
    expect(() => pushUrl({ kind: "github", url: "" }, "git@github.com:acme/web.git")).toThrow(/Use the repository's https:\/\/ URL/);
  });

  it("reads the repository's path on its forge from the repository URL", () => {
    expect(forgeRepositoryPath("https://github.com/acme/web.git")).toBe("acme/web");
    expect(forgeRepositoryPath("https://gitlab.example.com/group/sub/project")).toBe("group/sub/project");
    expect(forgeRepositoryPath("git@github.com:acme/web.git")).toBe("acme/web");
    expect(() => forgeRepositoryPath("https://github.com/acme")).toThrow(/cannot tell the owner and repository/);
  });
});
