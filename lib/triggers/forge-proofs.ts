// How each forge proves a webhook delivery is its own, checked against the environment's webhook secret:
// - GitHub signs the raw body: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 (@octokit/webhooks-methods).
// - GitLab sends the secret itself, as configured on the webhook, in X-Gitlab-Token (GitLab's docs,
//   "Webhooks" → "Validate payloads by using a secret token"): compared in constant time.
// - Gitea signs the raw body: X-Gitea-Signature = hex HMAC-SHA256 with the secret, no prefix (Gitea's
//   services/webhook/deliver.go); Forgejo sends the same value as X-Forgejo-Signature too.
import { createHmac, timingSafeEqual } from "node:crypto";
import { verify } from "@octokit/webhooks-methods";
import type { WebhookForge } from "./webhook-settings";

/** Constant-time equality of two strings; unequal lengths are unequal (a length tells nothing of a 48-hex secret). */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyGitLabToken(secret: string, token: string): boolean {
  return sameText(token, secret);
}

/** What Gitea sends as X-Gitea-Signature for this body; for "send a test event" and for tests. */
export function signGiteaDelivery(secret: string, rawBody: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("hex");
}

export function verifyGiteaSignature(secret: string, rawBody: string, signature: string): boolean {
  return sameText(signature.trim().toLowerCase(), signGiteaDelivery(secret, rawBody));
}

/** Whether `proof` (the forge's header, as received) proves the body was sent with `secret`. */
export async function provesDelivery(forge: WebhookForge, secret: string, rawBody: string, proof: string): Promise<boolean> {
  if (forge === "gitlab") return verifyGitLabToken(secret, proof);
  if (forge === "gitea") return verifyGiteaSignature(secret, rawBody, proof);
  return verify(secret, rawBody, proof).catch(() => false);
}

/** The header that carries each forge's proof, as the refusal names it. */
export const PROOF_HEADER: Record<WebhookForge, string> = {
  github: "X-Hub-Signature-256",
  gitlab: "X-Gitlab-Token",
  gitea: "X-Gitea-Signature",
};
