// User records: the first-run admin, password sign-in, and users created from the CLI.
import { db, type Role } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { dummyPasswordHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./password";

export type SessionUser = { id: string; email: string; role: Role; name: string | null };

const userSelect = { id: true, email: true, role: true, name: true } as const;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function assertEmail(email: string): void {
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

/** Checks a password in constant time whether or not the account exists (no user enumeration). */
export async function verifyCredentials(email: string, password: string): Promise<SessionUser | null> {
  const user = await db().user.findUnique({ where: { email: normalizeEmail(email) }, select: { ...userSelect, passwordHash: true } });
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user?.passwordHash || !ok) return null;
  return { id: user.id, email: user.email, role: user.role, name: user.name };
}

export async function upsertGithubUser(profile: { githubId: string; email: string; name: string | null }): Promise<SessionUser> {
  const email = normalizeEmail(profile.email);
  const byGithub = await db().user.findUnique({ where: { githubId: profile.githubId }, select: userSelect });
  if (byGithub) return byGithub;
  const isFirst = (await db().user.count()) === 0;
  return db().user.upsert({
    where: { email },
    update: { githubId: profile.githubId },
    create: { email, name: profile.name, githubId: profile.githubId, role: isFirst ? "admin" : "engineer" },
    select: userSelect,
  });
}

export async function getUser(userId: string): Promise<SessionUser | null> {
  return db().user.findUnique({ where: { id: userId }, select: userSelect });
}

export async function countUsers(): Promise<number> {
  return db().user.count();
}

/** First-run page: creates the admin only while the install has no users at all. */
export async function createFirstAdmin(email: string, password: string): Promise<void> {
  if ((await db().user.count()) > 0) throw new AppError("conflict", "An account already exists; sign in instead.");
  await ensureAdmin(email, password);
}
