// The first admin against real Postgres, in a database of its own (the shared test database always has
// users): the setup code is required, and two concurrent submissions make exactly one admin. GitHub
// never creates the first account.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db, disconnectDb } from "@/lib/db";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { createFirstAdmin, issueSetupCode } from "./first-run";
import { signInWithGithub } from "./github-sign-in";
import { waitFor } from "@/test/support/wait-for";
import { verifyCredentials } from "./users";

const sharedUrl = new URL(process.env.DATABASE_URL ?? "");
const databaseName = `${sharedUrl.pathname.slice(1).replace(/_test$/, "")}_first_run_test`;
const ownUrl = Object.assign(new URL(sharedUrl), { pathname: `/${databaseName}` }).toString();
const PASSWORD = "a-good-long-password";

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: sharedUrl.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Drops the test's own database. WITH (FORCE) ends our own connections, but not an autovacuum worker, which
 * belongs to the superuser and often visits a database that just had its tables created: that refusal
 * (insufficient_privilege) lasts until the worker is done, so the drop is tried again until it succeeds.
 */
async function dropOwnDatabase(): Promise<void> {
  await waitFor(`database ${databaseName} dropped (an autovacuum worker may hold it)`, async () => {
    try {
      await admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "42501") return false;
      throw error;
    }
  });
}

beforeAll(async () => {
  await dropOwnDatabase();
  await admin(`CREATE DATABASE "${databaseName}"`);
  await applyMigrations(ownUrl);
  // db() reads DATABASE_URL on first use; nothing in this file has used it yet.
  vi.stubEnv("DATABASE_URL", ownUrl);
});

afterAll(async () => {
  await disconnectDb();
  vi.unstubAllEnvs();
  await dropOwnDatabase();
});

describe("first run", () => {
  it("GitHub sign-in cannot create the first account, even for an allowed organisation's member", async () => {
    const result = await signInWithGithub(
      { id: "4242", login: "early-bird", name: null, emails: [{ email: "early@example.com", verified: true, primary: true }] },
      { allowedOrgs: ["acme"], defaultRole: "engineer", isOrgMember: async () => true },
    );
    expect(result).toEqual({ ok: false, error: "FirstRun" });
    expect(await db().user.count()).toBe(0);
  });

  it("needs the setup code; a wrong or old code is refused, the right one creates the admin and dies with it", async () => {
    await expect(createFirstAdmin({ code: "AAAA-AAAA", email: "a@example.com", password: PASSWORD })).rejects.toMatchObject({
      code: "forbidden",
      userMessage: expect.stringMatching(/No setup code is active/),
    });
    const old = await issueSetupCode();
    const code = await issueSetupCode();
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(old).not.toBe(code);
    await expect(createFirstAdmin({ code: old ?? "", email: "a@example.com", password: PASSWORD })).rejects.toMatchObject({
      code: "forbidden",
      userMessage: expect.stringMatching(/Wrong setup code/),
    });
    await expect(createFirstAdmin({ code: "", email: "a@example.com", password: PASSWORD })).rejects.toMatchObject({ code: "forbidden" });
    expect(await db().user.count()).toBe(0);
    // Only the hash is stored.
    expect(JSON.stringify(await db().setupCode.findMany())).not.toContain(code?.replace("-", "") ?? "-");

    const results = await Promise.allSettled(
      ["first@example.com", "second@example.com", "third@example.com"].map((email) =>
        // Typed in lower case and without the dash: still the same code.
        createFirstAdmin({ code: (code ?? "").toLowerCase().replace("-", ""), email, password: PASSWORD }),
      ),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason)).toEqual([
      expect.objectContaining({ code: "conflict" }),
      expect.objectContaining({ code: "conflict" }),
    ]);
    const users = await db().user.findMany({ select: { email: true, role: true } });
    expect(users).toHaveLength(1);
    expect(users[0]?.role).toBe("admin");
    expect(await verifyCredentials(users[0]?.email ?? "", PASSWORD)).toMatchObject({ role: "admin" });
    expect(await db().setupCode.count()).toBe(0);
    // Once someone has an account, no code is issued.
    expect(await issueSetupCode()).toBeNull();
    await expect(createFirstAdmin({ code: code ?? "", email: "late@example.com", password: PASSWORD })).rejects.toMatchObject({ code: "conflict" });
  });
});
