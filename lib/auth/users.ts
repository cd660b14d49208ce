// User records: the admin from the environment, password sign-in, and users created from the CLI.
import { db, type Role } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { dummyPasswordHash, hashPassword, MIN_PASSWORD_LENGTH, needsRehash, verifyPassword } from "./password";

export type SessionUser = { id: string; email: string; role: Role; name: string | null };

export const userSelect = { id: true, email: true, role: true, name: true } as const;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function assertEmail(email: string): void {
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) throw new AppError("bad_request", `"${email}" is not an email address.`);
}

/** Creates the admin from PATCHBAY_ADMIN_EMAIL/PASSWORD when it does not exist yet; never overwrites. */
export async function ensureAdmin(email: string, password: string): Promise<{ created: boolean }> {
  const normalized = normalizeEmail(email);
  assertEmail(normalized);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError("bad_request", `PATCHBAY_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const existing = await db().user.findUnique({ where: { email: normalized }, select: { id: true } });
  if (existing) return { created: false };
  await db().user.create({ data: { email: normalized, role: "admin", passwordHash: await hashPassword(password) } });
  return { created: true };
}

/** The user for a CLI token: created if missing, as admin when the install has no users yet. */
export async function findOrCreateUser(email: string): Promise<SessionUser> {
  const normalized = normalizeEmail(email);
  assertEmail(normalized);
  const existing = await db().user.findUnique({ where: { email: normalized }, select: userSelect });
  if (existing) return existing;
  const isFirst = (await db().user.count()) === 0;
  return db().user.create({ data: { email: normalized, role: isFirst ? "admin" : "engineer" }, select: userSelect });
}

/**
 * Checks a password in constant time whether or not the account exists (no user enumeration). A hash made
 * with weaker parameters than today's is replaced once the password has proved right.
 */
export async function verifyCredentials(email: string, password: string): Promise<SessionUser | null> {
  const user = await db().user.findUnique({ where: { email: normalizeEmail(email) }, select: { ...userSelect, passwordHash: true } });
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user?.passwordHash || !ok) return null;
  if (needsRehash(user.passwordHash)) {
    // Only if the hash is still the one just checked: a password change in between wins.
    await db().user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: await hashPassword(password) } });
  }
  return { id: user.id, email: user.email, role: user.role, name: user.name };
}

export async function getUser(userId: string): Promise<SessionUser | null> {
  return db().user.findUnique({ where: { id: userId }, select: userSelect });
}

export async function countUsers(): Promise<number> {
  return db().user.count();
}
