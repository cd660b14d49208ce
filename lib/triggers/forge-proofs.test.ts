import { describe, expect, it } from "vitest";
import { provesDelivery, signGiteaDelivery, verifyGiteaSignature, verifyGitLabToken } from "./forge-proofs";

describe("forge proofs", () => {
  const secret = "0123456789abcdef0123456789abcdef0123456789abcdef";
  const body = '{"action":"created","text":"„Hallo“ 👋"}';

  it("takes GitLab's token only when it is the secret", () => {
    expect(verifyGitLabToken(secret, secret)).toBe(true);
    expect(verifyGitLabToken(secret, `${secret.slice(0, -1)}0`)).toBe(false);
    expect(verifyGitLabToken(secret, "short")).toBe(false);
    expect(verifyGitLabToken(secret, "")).toBe(false);
  });

  it("takes Gitea's signature: the hex HMAC-SHA256 of the body's UTF-8 bytes", async () => {
    // openssl dgst -sha256 -hmac <secret> of the same bytes.
    const signature = signGiteaDelivery(secret, body);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyGiteaSignature(secret, body, signature)).toBe(true);
    expect(verifyGiteaSignature(secret, body, signature.toUpperCase())).toBe(true);
    expect(verifyGiteaSignature(secret, `${body} `, signature)).toBe(false);
    expect(verifyGiteaSignature("another", body, signature)).toBe(false);
    expect(verifyGiteaSignature(secret, body, `sha256=${signature}`)).toBe(false);
    expect(await provesDelivery("gitea", secret, body, signature)).toBe(true);
    expect(await provesDelivery("gitlab", secret, body, secret)).toBe(true);
    expect(await provesDelivery("github", secret, body, signature)).toBe(false);
  });
});
