// Sessions are JWTs (next-auth), valid until they expire: signing out only deletes the browser's cookie,
// and a copied cookie would keep working for days. Signing out therefore records the token's id (jti) in
// Redis until the token would have expired, and every session lookup refuses a recorded one.
import type { Redis } from "ioredis";

const key = (jti: string) => `patchbay:revoked-session:${jti}`;

/** `expiresAt`: the token's `exp` claim, in seconds since the epoch. */
export async function revokeSession(redis: Redis, jti: string, expiresAt: number): Promise<void> {
  const ttl = Math.max(1, Math.ceil(expiresAt - Date.now() / 1000));
  await redis.set(key(jti), "1", "EX", ttl);
}

export async function isSessionRevoked(redis: Redis, jti: string): Promise<boolean> {
  return (await redis.exists(key(jti))) === 1;
}
