import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { openSecret, secretsKey } from "@/lib/secrets/secret-box";
import {
  credentialMismatch,
  openRepoCredential,
  privateKeyProblem,
  repoCredentialSchema,
  repoCredentialSummary,
  sealRepoCredential,
  type RepoCredential,
} from "./repo-credential";

const keyText = randomBytes(32).toString("base64");
const otherKeyText = randomBytes(32).toString("base64");

/** An OpenSSH private key envelope naming `cipher`; the validator reads no further than the cipher. */
function opensshKey(cipher: string): string {
  const name = Buffer.from(cipher, "latin1");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0", "latin1"), length, name, randomBytes(120)]).toString("base64");
  const lines = body.match(/.{1,70}/g)!.join("\n");
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

describe("repoCredentialSchema", () => {
  it("accepts a token with or without a user name, trimmed", () => {
    expect(repoCredentialSchema.parse({ kind: "token", token: " ghp_0123456789abcdef \n" })).toEqual({ kind: "token", token: "ghp_0123456789abcdef" });
    expect(repoCredentialSchema.parse({ kind: "token", username: "oauth2", token: "glpat-0123456789" })).toEqual({
      kind: "token",
      username: "oauth2",
      token: "glpat-0123456789",
    });
  });

  it.each([
    [{ kind: "token", token: "short" }, /at least 8/],
    [{ kind: "token", token: "has a space in it" }, /printable ASCII/],
    [{ kind: "token", token: "line\r\nX-Injected: 1" }, /printable ASCII/],
    [{ kind: "token", username: "a:b", token: "0123456789" }, /':'/],
    [{ kind: "token", token: "0123456789", extra: 1 }, /Unrecognized key/],
    [{ kind: "password", token: "0123456789" }, /Invalid/],
  ])("refuses %j", (input, message) => {
    const result = repoCredentialSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join(" ")).toMatch(message);
  });

  it("accepts an OpenSSH key without a passphrase and normalizes line endings", () => {
    const key = opensshKey("none");
    const parsed = repoCredentialSchema.parse({ kind: "deployKey", privateKey: `\r\n${key.replace(/\n/g, "\r\n")}  ` });
    expect(parsed).toEqual({ kind: "deployKey", privateKey: key });
  });

  it.each([
    [opensshKey("aes256-ctr"), /passphrase/],
    ["-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n", /passphrase/],
    ["-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", /passphrase/],
    ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDo me@host\n", /public key/],
    ["-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n", /not a valid OpenSSH/],
    ["hunter2\n", /OpenSSH format/],
  ])("refuses an unusable deploy key (%#)", (key, message) => {
    expect(privateKeyProblem(key)).toMatch(message);
  });
});

describe("sealing", () => {
  const token: RepoCredential = { kind: "token", username: "ci-bot", token: "glpat-secret-0123456789" };
  const deployKey: RepoCredential = { kind: "deployKey", privateKey: opensshKey("none") };

  it("stores kind and user name in the clear and everything else sealed", () => {
    const stored = sealRepoCredential(keyText, token);
    expect(stored).toMatchObject({ kind: "token", username: "ci-bot", sealed: { v: 1 } });
    expect(JSON.stringify(stored)).not.toContain("glpat-secret");
    expect(JSON.stringify(sealRepoCredential(keyText, deployKey))).not.toContain("OPENSSH");
  });

  it("summarizes without the secret part", () => {
    expect(repoCredentialSummary(sealRepoCredential(keyText, token))).toEqual({ kind: "token", username: "ci-bot" });
    expect(repoCredentialSummary(sealRepoCredential(keyText, { kind: "token", token: "0123456789" }))).toEqual({ kind: "token" });
    expect(repoCredentialSummary(sealRepoCredential(keyText, deployKey))).toEqual({ kind: "deployKey" });
    expect(repoCredentialSummary(null)).toBeNull();
    expect(repoCredentialSummary({ kind: "token" })).toBeNull();
  });

  it("opens with the same key", () => {
    expect(openRepoCredential(sealRepoCredential(keyText, token), keyText)).toEqual(token);
    expect(openRepoCredential(sealRepoCredential(keyText, deployKey), keyText)).toEqual(deployKey);
    expect(openRepoCredential(null, keyText)).toBeNull();
    expect(openRepoCredential(null, undefined)).toBeNull();
  });

  it("fails loudly, never as an anonymous fetch, when a stored credential cannot be opened", () => {
    const stored = sealRepoCredential(keyText, token);
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as AppError).code;
      }
      return "no error";
    };
    expect(codeOf(() => openRepoCredential(stored, otherKeyText))).toBe("secrets_unavailable");
    expect(codeOf(() => openRepoCredential(stored, undefined))).toBe("secrets_unavailable");
    expect(codeOf(() => openRepoCredential({ kind: "token" }, keyText))).toBe("secrets_unavailable");
    // The clear-text kind must agree with the sealed one.
    expect(codeOf(() => openRepoCredential({ ...stored, kind: "deployKey" }, keyText))).toBe("secrets_unavailable");
  });

  it("cannot be opened as a setup secret of the same value (bound to its own name)", () => {
    const stored = sealRepoCredential(keyText, token);
    expect(() => openSecret(secretsKey(keyText), "TOKEN", stored.sealed)).toThrow(AppError);
  });
});

describe("credentialMismatch", () => {
  it("pairs tokens with http(s) and deploy keys with ssh", () => {
    expect(credentialMismatch("https", "token")).toBeNull();
    expect(credentialMismatch("http", "token")).toBeNull();
    expect(credentialMismatch("ssh", "deployKey")).toBeNull();
    expect(credentialMismatch("ssh", "token")).toMatch(/https:\/\/ repository URLs only/);
    expect(credentialMismatch("https", "deployKey")).toMatch(/ssh repository URLs/);
    expect(credentialMismatch("file", "token")).toMatch(/file:\/\/ repository takes no credential/);
  });
});
