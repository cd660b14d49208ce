// People and roles against real Postgres: account creation, admin-only role changes, and the last-admin
// rule. Other test files share the database, so every address is unique and nothing assumes an empty table.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { AppError } from "@/lib/errors";
import { changeRole, createInvitation, createPerson, listInvitations, listPeople, revokeInvitation, setRole, setRoleAsOperator } from "./people";
import { getUser, verifyCredentials } from "./users";

const PASSWORD = "a-good-long-password";
let counter = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now()}-${counter++}@example.com`;

function appError(code: AppError["code"], message?: string | RegExp) {
  return expect.objectContaining({ name: "AppError", code, ...(message ? { userMessage: expect.stringMatching(message) } : {}) });
}

describe("createPerson", () => {
  it("creates a password account with the normalised email and the given role", async () => {
    const email = uniqueEmail("ana");
    const person = await createPerson({ email: `  ${email.toUpperCase()} `, password: PASSWORD, role: "copywriter" });
    expect(person).toMatchObject({ email, role: "copywriter", name: null });
    expect(new Date(person.createdAt).toString()).not.toBe("Invalid Date");
    expect(await verifyCredentials(email, PASSWORD)).toMatchObject({ id: person.id, role: "copywriter" });
    expect((await listPeople()).find((p) => p.id === person.id)).toEqual(person);
  });

  it("refuses an email that already has an account, in any letter case", async () => {
    const email = uniqueEmail("dup");
    await createPerson({ email, password: PASSWORD, role: "engineer" });
    await expect(createPerson({ email: email.toUpperCase(), password: PASSWORD, role: "engineer" })).rejects.toEqual(
      appError("conflict", /already has an account/),
    );
  });

  it("refuses a short password, a bad role, a bad email and unknown fields as bad_request", async () => {
    await expect(createPerson({ email: uniqueEmail("short"), password: "short", role: "engineer" })).rejects.toEqual(
      appError("bad_request", "Password must be at least 10 characters."),
    );
    await expect(createPerson({ email: uniqueEmail("role"), password: PASSWORD, role: "owner" })).rejects.toEqual(
      appError("bad_request", "Role must be one of: admin, engineer, copywriter."),
    );
    await expect(createPerson({ email: "not an email", password: PASSWORD, role: "engineer" })).rejects.toEqual(appError("bad_request"));
    await expect(createPerson({ email: uniqueEmail("extra"), password: PASSWORD, role: "admin", isAdmin: true })).rejects.toEqual(appError("bad_request"));
    await expect(createPerson(null)).rejects.toEqual(appError("bad_request"));
  });
});

describe("setRole", () => {
  it("lets an admin change a role, and getUser sees it at once", async () => {
    const admin = await createPerson({ email: uniqueEmail("admin"), password: PASSWORD, role: "admin" });
    const person = await createPerson({ email: uniqueEmail("eng"), password: PASSWORD, role: "engineer" });
    expect(await setRole(admin.id, person.id, "copywriter")).toMatchObject({ id: person.id, role: "copywriter" });
    expect(await getUser(person.id)).toMatchObject({ role: "copywriter" });
    // Setting the role a person already has is a no-op, not an error.
    expect(await setRole(admin.id, person.id, "copywriter")).toMatchObject({ role: "copywriter" });
  });

  it("refuses a non-admin actor, going by the database rather than anything the caller claims", async () => {
    const engineer = await createPerson({ email: uniqueEmail("eng"), password: PASSWORD, role: "engineer" });
    const other = await createPerson({ email: uniqueEmail("other"), password: PASSWORD, role: "engineer" });
    await expect(setRole(engineer.id, engineer.id, "admin")).rejects.toEqual(appError("forbidden"));
    await expect(setRole(engineer.id, other.id, "copywriter")).rejects.toEqual(appError("forbidden"));
    await expect(setRole("no-such-user", other.id, "copywriter")).rejects.toEqual(appError("forbidden"));

    // An admin who has just been demoted loses the right with the same call.
    const admin = await createPerson({ email: uniqueEmail("admin"), password: PASSWORD, role: "admin" });
    const boss = await createPerson({ email: uniqueEmail("boss"), password: PASSWORD, role: "admin" });
    await setRole(boss.id, admin.id, "engineer");
    await expect(setRole(admin.id, other.id, "copywriter")).rejects.toEqual(appError("forbidden"));
    expect(await getUser(other.id)).toMatchObject({ role: "engineer" });
  });

  it("refuses a bad role and an unknown person", async () => {
    const admin = await createPerson({ email: uniqueEmail("admin"), password: PASSWORD, role: "admin" });
    await expect(setRole(admin.id, admin.id, "superuser")).rejects.toEqual(appError("bad_request", "Role must be one of"));
    await expect(setRole(admin.id, "no-such-user", "engineer")).rejects.toEqual(appError("not_found"));
  });

  it("lets an admin step down while another admin remains", async () => {
    const first = await createPerson({ email: uniqueEmail("first"), password: PASSWORD, role: "admin" });
    const second = await createPerson({ email: uniqueEmail("second"), password: PASSWORD, role: "admin" });
    expect(await setRole(first.id, first.id, "engineer")).toMatchObject({ role: "engineer" });
    expect(await getUser(second.id)).toMatchObject({ role: "admin" });
  });
});

class Rollback extends Error {}

describe("the last admin", () => {
  // Other files leave admins behind, so the test demotes them inside a transaction that it then rolls back:
  // it controls who is admin without changing anything another test can see.
  it("cannot be demoted, by themselves or by the CLI operator", async () => {
    const admin = await createPerson({ email: uniqueEmail("last"), password: PASSWORD, role: "admin" });
    const rolledBack = db().$transaction(async (tx) => {
      await tx.user.updateMany({ where: { role: "admin", id: { not: admin.id } }, data: { role: "engineer" } });
      await expect(changeRole(tx, { kind: "user", userId: admin.id }, admin.id, "engineer")).rejects.toEqual(appError("conflict", /is the last admin/));
      await expect(changeRole(tx, { kind: "operator" }, admin.id, "copywriter")).rejects.toEqual(appError("conflict", /is the last admin/));
      // Promoting someone first makes the step down possible.
      const helper = await tx.user.create({ data: { email: uniqueEmail("helper"), role: "engineer" }, select: { id: true } });
      await changeRole(tx, { kind: "user", userId: admin.id }, helper.id, "admin");
      expect(await changeRole(tx, { kind: "user", userId: admin.id }, admin.id, "engineer")).toMatchObject({ role: "engineer" });
      throw new Rollback();
    });
    await expect(rolledBack).rejects.toBeInstanceOf(Rollback);
    expect(await getUser(admin.id)).toMatchObject({ role: "admin" });
  });

  it("survives two admins demoting each other at the same time: exactly one of them wins", async () => {
    // Several rounds: the first pair often runs one after the other while the connection pool warms up.
    for (let round = 0; round < 5; round++) {
      const a = await createPerson({ email: uniqueEmail("a"), password: PASSWORD, role: "admin" });
      const b = await createPerson({ email: uniqueEmail("b"), password: PASSWORD, role: "admin" });
      const results = await Promise.allSettled([setRole(a.id, b.id, "engineer"), setRole(b.id, a.id, "engineer")]);
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      expect(results.find((result) => result.status === "rejected")).toMatchObject({ reason: appError("forbidden") });
      const roles = [(await getUser(a.id))?.role, (await getUser(b.id))?.role].sort();
      expect(roles).toEqual(["admin", "engineer"]);
    }
  });
});

describe("setRoleAsOperator", () => {
  it("changes a role by email without an acting admin", async () => {
    const email = uniqueEmail("cli");
    const person = await createPerson({ email, password: PASSWORD, role: "engineer" });
    expect(await setRoleAsOperator(email.toUpperCase(), "admin")).toMatchObject({ id: person.id, role: "admin" });
    expect(await getUser(person.id)).toMatchObject({ role: "admin" });
    await expect(setRoleAsOperator(uniqueEmail("nobody"), "admin")).rejects.toEqual(appError("not_found"));
    await expect(setRoleAsOperator(email, "root")).rejects.toEqual(appError("bad_request"));
  });
});

describe("invitations", () => {
  it("are created, replaced and revoked by admins only, with a normalised email and an expiry", async () => {
    const admin = await createPerson({ email: uniqueEmail("inviter"), password: PASSWORD, role: "admin" });
    const engineer = await createPerson({ email: uniqueEmail("eng"), password: PASSWORD, role: "engineer" });
    const email = uniqueEmail("invitee");
    await expect(createInvitation(engineer.id, { email, role: "engineer" })).rejects.toEqual(appError("forbidden"));
    await expect(listInvitations(engineer.id)).rejects.toEqual(appError("forbidden"));

    const first = await createInvitation(admin.id, { email: ` ${email.toUpperCase()} `, role: "engineer" });
    expect(first).toMatchObject({ email, role: "engineer" });
    expect(new Date(first.expiresAt).getTime() - Date.now()).toBeGreaterThan(13 * 24 * 60 * 60 * 1000);
    // Inviting again replaces the role rather than adding a second invitation.
    const second = await createInvitation(admin.id, { email, role: "copywriter" });
    expect(second).toMatchObject({ id: first.id, role: "copywriter" });
    expect((await listInvitations(admin.id)).filter((invitation) => invitation.email === email)).toEqual([second]);

    await expect(createInvitation(admin.id, { email, role: "owner" })).rejects.toEqual(appError("bad_request", "Role must be one of"));
    await expect(createInvitation(admin.id, { email: "nope", role: "engineer" })).rejects.toEqual(appError("bad_request"));
    await expect(revokeInvitation(engineer.id, first.id)).rejects.toEqual(appError("forbidden"));
    await revokeInvitation(admin.id, first.id);
    expect((await listInvitations(admin.id)).map((invitation) => invitation.email)).not.toContain(email);
    await expect(revokeInvitation(admin.id, first.id)).rejects.toEqual(appError("not_found"));
  });
});
