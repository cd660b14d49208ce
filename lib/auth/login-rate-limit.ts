// Failed sign-ins are counted in Redis (shared by every web replica) per account and per client address.
// Past the limit, sign-in is refused for the rest of the window, with the same message whether or not
// the account exists.
import type { Redis } from "ioredis";

export const MAX_FAILED_LOGINS = 5;
// One address may try several accounts (an office behind NAT), so its limit is higher.
export const MAX_FAILED_LOGINS_PER_IP = 20;
export const LOGIN_WINDOW_SECONDS = 15 * 60;

function keys(email: string, ip: string): string[] {
  return [`patchbay:login-fail:email:${email.toLowerCase()}`, `patchbay:login-fail:ip:${ip}`];
}

export async function isLoginBlocked(redis: Redis, email: string, ip: string): Promise<boolean> {
  const [byEmail, byIp] = await redis.mget(...keys(email, ip));
  return Number(byEmail ?? 0) >= MAX_FAILED_LOGINS || Number(byIp ?? 0) >= MAX_FAILED_LOGINS_PER_IP;
}

export async function recordFailedLogin(redis: Redis, email: string, ip: string): Promise<void> {
  const multi = redis.multi();
  for (const key of keys(email, ip)) multi.incr(key).expire(key, LOGIN_WINDOW_SECONDS, "NX");
  await multi.exec();
}

export async function clearFailedLogins(redis: Redis, email: string): Promise<void> {
  await redis.del(`patchbay:login-fail:email:${email.toLowerCase()}`);
}
