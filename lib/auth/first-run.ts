// The first admin of an install without users. Whoever reaches the port first must not become admin, so
// the first-run form needs a one-time setup code that `npm start` prints to the operator's terminal. Only
// the code's SHA-256 is stored; a new one replaces it at every start while there are no users.
import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashPassword, MIN_PASSWORD_LENGTH } from "./password";
import { assertEmail, normalizeEmail } from "./users";

// No 0/O or 1/I/L: the code is read off a terminal and typed by hand. 8 characters of 31 (about 40 bits),
// and wrong codes are throttled like wrong passwords.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
// Any constant works; it only has to be the same for every web replica.
const FIRST_ADMIN_LOCK = 72707370;

function digest(code: string): string {
  return createHash("sha256").update(normalizeSetupCode(code)).digest("hex");
}

/** Upper case without separators, so "abcd-efgh" and "ABCDEFGH" are the same code. */
export function normalizeSetupCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, "");
}

/**
 * A fresh setup code (XXXX-XXXX) when the install has no users, replacing any earlier one; null (and no
 * code left behind) once someone has an account.
 */
export async function issueSetupCode(): Promise<string | null> {
  if ((await db().user.count()) > 0) {
    await db().setupCode.deleteMany({});
    return null;
  }
  const raw = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const code = `${raw.slice(0, 4)}-${raw.slice(4)}`;
  await db().setupCode.upsert({ where: { id: 1 }, create: { id: 1, codeHash: digest(code) }, update: { codeHash: digest(code), createdAt: new Date() } });
  return code;
}

/**
 * Creates the first admin when the setup code is right and nobody has an account yet. An advisory lock
 * serialises concurrent submissions, so exactly one of them creates the admin; the code is consumed in
 * the same transaction (a delete that must hit its row), a second guard against a double create.
 */
export async function createFirstAdmin(input: { code: string; email: string; password: string }): Promise<void> {
  const email = normalizeEmail(input.email);
  assertEmail(email);
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError("bad_request", `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (input.password.length > 1024) throw new AppError("bad_request", "Password is at most 1024 characters.");
  // Long enough for the password hash below, which runs under the lock: this happens once per install.
  await db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`;
      if ((await tx.user.count()) > 0) throw new AppError("conflict", "An account already exists; sign in instead.");
      const stored = await tx.setupCode.findUnique({ where: { id: 1 }, select: { codeHash: true } });
      if (!stored) throw new AppError("forbidden", "No setup code is active. Restart Patchbay (npm start) and use the code it prints.");
      if (!timingSafeEqual(Buffer.from(stored.codeHash, "hex"), Buffer.from(digest(input.code), "hex"))) {
        throw new AppError("forbidden", "Wrong setup code. Use the code npm start printed in its output.");
      }
      const consumed = await tx.setupCode.deleteMany({ where: { id: 1, codeHash: stored.codeHash } });
      if (consumed.count !== 1) throw new AppError("conflict", "An account already exists; sign in instead.");
      await tx.user.create({ data: { email, role: "admin", passwordHash: await hashPassword(input.password) } });
    },
    { timeout: 30_000 },
  );
}
