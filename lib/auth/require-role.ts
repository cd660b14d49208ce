// Role checks read the role from the database: an admin's change takes effect on the next request,
// whatever an older session or token claims.
import { db, type Role } from "@/lib/db";
import { AppError } from "@/lib/errors";

export async function roleOf(userId: string): Promise<Role> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { role: true } });
  if (!user) throw new AppError("unauthorized", "Your account no longer exists.");
  return user.role;
}

export async function requireRole(userId: string, allowed: readonly Role[], message: string): Promise<Role> {
  const role = await roleOf(userId);
  if (!allowed.includes(role)) throw new AppError("forbidden", message);
  return role;
}
