// Sign-in throttling in Redis (shared by every web replica). Each attempt is counted before the password
// is checked, in one Lua script, so parallel guesses cannot slip past the count; a success undoes it.
// Per account: the first FREE_ATTEMPTS - 1 failures cost nothing; from the FREE_ATTEMPTS-th on, the next
// attempt must wait 2^(n - FREE_ATTEMPTS + 1) seconds (2, 4, 8, …) after failure n, up to MAX_DELAY_SECONDS:
// a guesser is slowed without the account ever being locked for longer than that. Per client address: a fixed window, since one
// address may try many accounts.
import type { Redis } from "ioredis";

export const FREE_ATTEMPTS = 5;
export const MAX_DELAY_SECONDS = 15 * 60;
// One address may try several accounts (an office behind NAT), so its limit is higher.
export const MAX_FAILED_LOGINS_PER_IP = 20;
export const LOGIN_WINDOW_SECONDS = 15 * 60;
// An account's failure count is forgotten after a day without failures.
const ACCOUNT_MEMORY_SECONDS = 24 * 60 * 60;

export type LoginAttempt = { allowed: true } | { allowed: false; scope: "account" | "address"; retryAfterSeconds: number };

function accountKey(email: string): string {
  return `patchbay:login:account:${email.trim().toLowerCase()}`;
}
function addressKey(address: string): string {
  return `patchbay:login:address:${address}`;
}

// Returns {0} when allowed, {1, ms} when the account must wait, {2, ms} when the address must wait.
// Redis's own clock decides, so replicas with skewed clocks agree.
const BEGIN_ATTEMPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local blockedUntil = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if blockedUntil > now then return {1, blockedUntil - now} end
local byAddress = tonumber(redis.call('GET', KEYS[2]) or '0')
if byAddress >= tonumber(ARGV[3]) then return {2, math.max(redis.call('PTTL', KEYS[2]), 1000)} end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local free = tonumber(ARGV[1])
if failures >= free then
  local delay = math.min(1000 * 2 ^ (failures - free + 1), tonumber(ARGV[2]) * 1000)
  redis.call('HSET', KEYS[1], 'until', now + delay)
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
return {0, 0}
`;

/** Counts an attempt before the password is checked; refuses it while the account or address must wait. */
export async function beginLoginAttempt(redis: Redis, email: string, address: string): Promise<LoginAttempt> {
  const [verdict, waitMs] = (await redis.eval(
    BEGIN_ATTEMPT,
    2,
    accountKey(email),
    addressKey(address),
    FREE_ATTEMPTS,
    MAX_DELAY_SECONDS,
    MAX_FAILED_LOGINS_PER_IP,
    LOGIN_WINDOW_SECONDS,
    ACCOUNT_MEMORY_SECONDS,
  )) as [number, number];
  if (verdict === 0) return { allowed: true };
  return { allowed: false, scope: verdict === 1 ? "account" : "address", retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** A successful sign-in: the account starts afresh, and the address gets its attempt back. */
export async function loginSucceeded(redis: Redis, email: string, address: string): Promise<void> {
  await redis.multi().del(accountKey(email)).decr(addressKey(address)).exec();
}

export function rateLimitMessage(attempt: Extract<LoginAttempt, { allowed: false }>): string {
  const seconds = attempt.retryAfterSeconds;
  const wait = seconds < 90 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;
  const subject = attempt.scope === "account" ? "for this account" : "from your network";
  return `Too many failed sign-in attempts ${subject}. Try again in ${wait}.`;
}
