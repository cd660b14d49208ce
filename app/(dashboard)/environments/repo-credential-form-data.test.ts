import { describe, expect, it } from "vitest";
import { credentialKindForUrl, repoCredentialFromForm } from "./repo-credential-form-data";

function form(fields: [string, string][]): FormData {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
}

describe("repoCredentialFromForm", () => {
  it("reads a token, with the user name only when one is typed", () => {
    expect(
      repoCredentialFromForm(
        form([
          ["credentialKind", "token"],
          ["username", " ci-bot "],
          ["token", "ghp_0123456789"],
          ["privateKey", "ignored"],
        ]),
      ),
    ).toEqual({ kind: "token", username: "ci-bot", token: "ghp_0123456789" });
    expect(
      repoCredentialFromForm(
        form([
          ["credentialKind", "token"],
          ["username", "  "],
          ["token", "ghp_0123456789"],
        ]),
      ),
    ).toEqual({ kind: "token", token: "ghp_0123456789" });
  });

  it("reads a deploy key as pasted and leaves its validation to the schema", () => {
    expect(
      repoCredentialFromForm(
        form([
          ["credentialKind", "deployKey"],
          ["token", "ignored"],
          ["privateKey", "-----BEGIN OPENSSH PRIVATE KEY-----\r\nabc\r\n"],
        ]),
      ),
    ).toEqual({ kind: "deployKey", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\r\nabc\r\n" });
  });

  it("is null for Remove, whatever else was typed", () => {
    expect(
      repoCredentialFromForm(
        form([
          ["credentialKind", "token"],
          ["token", "ghp_0123456789"],
          ["intent", "remove"],
        ]),
      ),
    ).toBeNull();
  });
});

describe("credentialKindForUrl", () => {
  it("suggests a deploy key for ssh URLs and a token otherwise", () => {
    expect(credentialKindForUrl("git@github.com:owner/repo.git")).toBe("deployKey");
    expect(credentialKindForUrl("ssh://git@example.com:2222/owner/repo.git")).toBe("deployKey");
    expect(credentialKindForUrl("https://github.com/owner/repo.git")).toBe("token");
    expect(credentialKindForUrl("file:///tmp/repo")).toBe("token");
    expect(credentialKindForUrl("not a url")).toBe("token");
  });
});
