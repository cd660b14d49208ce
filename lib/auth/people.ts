// People and their roles, managed by admins (People page, REST API) and by the operator (CLI).
// Every permission check reads roles from the database: a session's role claim can be days old.
import { z } from "zod";
import { db, isUniqueViolation, type Prisma, type Role } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashPassword, MIN_PASSWORD_LENGTH } from "./password";
import { requireRole } from "./require-role";
import { normalizeEmail } from "./users";

// `satisfies` fails the typecheck here if the Prisma enum gains or loses a role.
const roles = { admin: "admin", engineer: "engineer", copywriter: "copywriter" } as const satisfies { [R in Role]: R };

export const roleSchema = z.enum(roles, { error: `Role must be one of: ${Object.values(roles).join(", ")}.` });
export const ROLES = roleSchema.options;

/** The body of a role change (`PATCH /api/v1/users/:id`). */
export const roleChangeSchema = z.strictObject({ role: roleSchema });

const createPersonSchema = z.strictObject({
  email: z
    .string({ error: "Email is required." })
    .transform(normalizeEmail)
    // The same rule as users.ts, so every way of creating an account accepts the same addresses.
    .pipe(
      z
        .string()
        .max(320, "Email is at most 320 characters.")
        .regex(/^[^\s@]+@[^\s@]+$/, "Email is not an email address."),
    ),
  password: z
    .string({ error: "Password is required." })
    .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(1024, "Password is at most 1024 characters."),
  role: roleSchema,
});
export type CreatePersonInput = z.input<typeof createPersonSchema>;

export type Person = { id: string; email: string; name: string | null; role: Role; createdAt: string };

const personSelect = { id: true, email: true, name: true, role: true, createdAt: true } as const;

function toPerson(row: Omit<Person, "createdAt"> & { createdAt: Date }): Person {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

/** Zod issues as one bad_request, so the CLI, the API and forms all show the same sentence. */
function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError("bad_request", result.error.issues.map((issue) => issue.message).join(" "));
  return result.data;
}

/** Throws forbidden unless the user is an admin right now (read from the database, like every role check). */
export async function assertAdmin(userId: string): Promise<void> {
  await requireRole(userId, ["admin"], "Only admins can manage people.");
}

export async function listPeople(): Promise<Person[]> {
  const rows = await db().user.findMany({ orderBy: { email: "asc" }, select: personSelect });
  return rows.map(toPerson);
}

/**
 * A password account from `{email, password, role}` (a CreatePersonInput; unknown because request bodies
 * are parsed here). The caller has already checked that whoever asks may create one.
 */
export async function createPerson(input: unknown): Promise<Person> {
  const data = parseInput(createPersonSchema, input);
  try {
    const row = await db().user.create({
      data: { email: data.email, role: data.role, passwordHash: await hashPassword(data.password) },
      select: personSelect,
    });
    return toPerson(row);
  } catch (error) {
    // The unique index, not a lookup beforehand, decides: two concurrent requests cannot both succeed.
    if (isUniqueViolation(error)) throw new AppError("conflict", `${data.email} already has an account.`);
    throw error;
  }
}

/** Who changes a role: a signed-in user, who must be an admin, or the operator at the CLI, who already controls the database. */
export type RoleChanger = { kind: "user"; userId: string } | { kind: "operator" };

/** A role change by a signed-in user; only admins may make one. */
export async function setRole(actorId: string, userId: string, role: string): Promise<Person> {
  const newRole = parseInput(roleSchema, role);
  return db().$transaction((tx) => changeRole(tx, { kind: "user", userId: actorId }, userId, newRole));
}

/** A role change from the CLI, by email. */
export async function setRoleAsOperator(email: string, role: string): Promise<Person> {
  const newRole = parseInput(roleSchema, role);
  const normalized = normalizeEmail(email);
  const user = await db().user.findUnique({ where: { email: normalized }, select: { id: true } });
  if (!user) throw new AppError("not_found", `No account for ${normalized}.`);
  return db().$transaction((tx) => changeRole(tx, { kind: "operator" }, user.id, newRole));
}

/**
 * The role change itself, inside the caller's transaction (tests roll one back to control who is admin).
 * Refuses to demote the last admin: nobody could manage people after that.
 */
export async function changeRole(tx: Prisma.TransactionClient, changer: RoleChanger, userId: string, role: Role): Promise<Person> {
  // Locking every admin row serialises role changes, so two admins demoting each other at once cannot
  // both see "one other admin left" and leave none.
  const admins = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "User" WHERE "role" = 'admin' FOR UPDATE`;
  const adminIds = new Set(admins.map((admin) => admin.id));
  if (changer.kind === "user" && !adminIds.has(changer.userId)) throw new AppError("forbidden", "Only admins can change roles.");

  const target = await tx.user.findUnique({ where: { id: userId }, select: personSelect });
  if (!target) throw new AppError("not_found", "No such person.");
  if (target.role === role) return toPerson(target);
  if (target.role === "admin" && adminIds.size <= 1) {
    throw new AppError("conflict", `${target.email} is the last admin. Make someone else an admin first.`);
  }
  const row = await tx.user.update({ where: { id: userId }, data: { role }, select: personSelect });
  return toPerson(row);
}

/** How long an invitation can be accepted. */
export const INVITATION_DAYS = 14;

export type Invitation = { id: string; email: string; role: Role; createdAt: string; expiresAt: string };

const invitationSelect = { id: true, email: true, role: true, createdAt: true, expiresAt: true } as const;

const createInvitationSchema = z.strictObject({ email: createPersonSchema.shape.email, role: roleSchema });
export type CreateInvitationInput = z.input<typeof createInvitationSchema>;

function toInvitation(row: { id: string; email: string; role: Role; createdAt: Date; expiresAt: Date }): Invitation {
  return { ...row, createdAt: row.createdAt.toISOString(), expiresAt: row.expiresAt.toISOString() };
}

/**
 * An invitation `{email, role}` by an admin: GitHub sign-in with that email, verified on GitHub, creates the
 * account with that role, or links GitHub to an existing account with that email (keeping its role).
 * Inviting the same email again replaces the earlier invitation.
 */
export async function createInvitation(actorId: string, input: unknown): Promise<Invitation> {
  await assertAdmin(actorId);
  const data = parseInput(createInvitationSchema, input);
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 24 * 60 * 60 * 1000);
  const row = await db().invitation.upsert({
    where: { email: data.email },
    create: { email: data.email, role: data.role, invitedById: actorId, expiresAt },
    update: { role: data.role, invitedById: actorId, expiresAt, createdAt: new Date() },
    select: invitationSelect,
  });
  return toInvitation(row);
}

/** Open invitations, expired ones included (the page shows them as expired). */
export async function listInvitations(actorId: string): Promise<Invitation[]> {
  await assertAdmin(actorId);
  const rows = await db().invitation.findMany({ orderBy: { email: "asc" }, select: invitationSelect });
  return rows.map(toInvitation);
}

export async function revokeInvitation(actorId: string, invitationId: string): Promise<void> {
  await assertAdmin(actorId);
  const { count } = await db().invitation.deleteMany({ where: { id: invitationId } });
  if (count === 0) throw new AppError("not_found", "No such invitation.");
}
