// Links to a screenshot that work without signing in, for places Patchbay's sign-in cannot reach (a pull
// request's body on a forge, even in a private repository): the artifact's id, an expiry and an HMAC of
// both. Unguessable and expiring; each link opens one picture and nothing else. The key is derived from
// PATCHBAY_SECRETS_KEY, which the web (verifying) and the workers (signing) share.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { secretsKey } from "@/lib/secrets/secret-box";

/** How long a link in a pull request keeps working; publishing the PR again writes fresh links. */
export const SIGNED_LINK_TTL_MS = 30 * 24 * 3600 * 1000;

function linkKey(keyText: string | undefined): Buffer {
  return Buffer.from(hkdfSync("sha256", secretsKey(keyText), Buffer.alloc(0), "patchbay artifact links v1", 32));
}

function signature(key: Buffer, artifactId: string, expires: number): string {
  return createHmac("sha256", key).update(`${artifactId}\n${expires}`).digest("base64url");
}

/** The link's path and query (prefix it with PATCHBAY_PUBLIC_URL). */
export function signedArtifactPath(keyText: string | undefined, artifactId: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `/api/v1/shared/artifacts/${encodeURIComponent(artifactId)}?expires=${expires}&signature=${signature(linkKey(keyText), artifactId, expires)}`;
}

export type LinkCheck = "valid" | "expired" | "invalid";

export function checkArtifactLink(
  keyText: string | undefined,
  artifactId: string,
  expiresText: string | null,
  given: string | null,
  now = Date.now(),
): LinkCheck {
  if (!expiresText || !given || !/^\d{1,12}$/.test(expiresText)) return "invalid";
  const expires = Number(expiresText);
  const expected = Buffer.from(signature(linkKey(keyText), artifactId, expires));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return "invalid";
  return expires * 1000 < now ? "expired" : "valid";
}
