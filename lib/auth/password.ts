// Password hashing with scrypt (Node's built-in, memory-hard KDF). Stored as
// scrypt$N$r$p$salt$hash so parameters can be raised later without breaking old hashes.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { AppError } from "@/lib/errors";

const KEY_LENGTH = 64;
// OWASP's scrypt recommendation: N = 2^17 (128 MiB per hash), r = 8, p = 1.
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
// Room for N = 2^17 with r = 8 (128 MiB) plus scrypt's own overhead; larger stored parameters are refused.
const MAX_MEMORY = 256 * 1024 * 1024;

/**
 * At most `limit` callers at once; up to `maxWaiting` more wait their turn, anyone past that is refused.
 * Each hash holds 128 MiB and a libuv thread for a few hundred ms, so a burst of sign-ins must not
 * exhaust memory or starve other file and crypto work.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      if (this.waiting.length >= this.maxWaiting)
        throw new AppError("rate_limited", "Sign-in is busy right now. Try again in a few seconds.", { retryable: true });
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

// One per process: the limit is about this machine's memory and threads.
const hashing = new Semaphore(4, 32);

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return hashing.run(
    () =>
      new Promise((resolve, reject) => {
        scryptCallback(password.normalize("NFKC"), salt, KEY_LENGTH, { ...options, maxmem: MAX_MEMORY }, (error, key) =>
          error ? reject(error) : resolve(key),
        );
      }),
  );
}

export const MIN_PASSWORD_LENGTH = 10;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT_PARAMS);
  return ["scrypt", SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Throws rate_limited when too many hashes are already queued; false for a wrong password or a corrupt hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, "base64");
  // A corrupt stored hash (NaN or out-of-range N/r/p) is a failed sign-in, not a 500.
  const actual = await scrypt(password, Buffer.from(saltB64, "base64"), { N: Number(n), r: Number(r), p: Number(p) }).catch((error: unknown) => {
    if (error instanceof AppError) throw error;
    return null;
  });
  return actual !== null && actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** True when a stored hash uses weaker parameters than today's (it is replaced at the next sign-in). */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split("$");
  return scheme !== "scrypt" || Number(n) < SCRYPT_PARAMS.N || Number(r) < SCRYPT_PARAMS.r || Number(p) < SCRYPT_PARAMS.p;
}

/** A hash of a random password, checked when the email is unknown so timing does not reveal accounts. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  // A refusal (busy) must not be cached as the dummy hash for the life of the process.
  dummyHash ??= hashPassword(randomBytes(16).toString("hex")).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  return dummyHash;
}
