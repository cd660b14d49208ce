// GitHub sign-in end to end: the real next-auth route handler, in-process, against a scripted GitHub
// OAuth server over HTTP (authorize redirect with state, code → token, /user, /user/emails, org
// membership). Joining needs an invitation or an allowed organisation; an email alone links nothing.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { APP_URL, AuthClient } from "@/test/support/auth-client";
import { type ScriptedGithub, type ScriptedGithubAccount, startScriptedGithub } from "@/test/support/scripted-github";
import { createInvitation, createPerson, listInvitations, type Person } from "./people";

const PASSWORD = "a-good-long-password";
let counter = 0;
const unique = (label: string) => `${label}-${Date.now()}-${counter++}`;
const githubId = () => 10_000_000 + Math.floor(Math.random() * 1_000_000_000);

let github: ScriptedGithub;
let admin: Person;

function account(label: string, options: Partial<ScriptedGithubAccount> & { email?: string; verified?: boolean } = {}): ScriptedGithubAccount {
  const login = unique(label);
  return {
    id: githubId(),
    login,
    name: null,
    emails: options.emails ?? [{ email: options.email ?? `${login}@users.example.com`, verified: options.verified ?? true, primary: true }],
    ...(options.orgs ? { orgs: options.orgs } : {}),
  };
}

async function signIn(who: ScriptedGithubAccount): Promise<{ location: string; client: AuthClient; authorizeUrl: URL }> {
  github.signInAs(who);
  const client = new AuthClient();
  const { location, authorizeUrl } = await client.signInWithGithub();
  return { location, client, authorizeUrl };
}

async function userByGithub(id: number) {
  return db().user.findUnique({ where: { githubId: String(id) }, select: { id: true, email: true, role: true } });
}

beforeAll(async () => {
  github = await startScriptedGithub();
  vi.stubEnv("NEXTAUTH_URL", APP_URL);
  vi.stubEnv("GITHUB_ID", github.clientId);
  vi.stubEnv("GITHUB_SECRET", github.clientSecret);
  // A GitHub Enterprise-style address: the web flow at the root, the API under /api/v3.
  vi.stubEnv("PATCHBAY_GITHUB_URL", github.url);
  vi.stubEnv("PATCHBAY_GITHUB_ALLOWED_ORGS", "acme, other-org");
  vi.stubEnv("PATCHBAY_GITHUB_DEFAULT_ROLE", "copywriter");
  admin = await createPerson({ email: `${unique("gh-admin")}@example.com`, password: PASSWORD, role: "admin" });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await github.close();
});

describe("GitHub sign-in", () => {
  it("asks for read:org and refuses an identity that is neither invited nor in an allowed organisation", async () => {
    const stranger = account("stranger", { orgs: { "some-other-org": "active", acme: "pending" } });
    const { location, client, authorizeUrl } = await signIn(stranger);
    expect(authorizeUrl.searchParams.get("scope")?.split(" ")).toContain("read:org");
    expect(authorizeUrl.searchParams.get("state")).toBeTruthy();
    expect(location).toBe("/login?error=NotInvited");
    expect(await userByGithub(stranger.id)).toBeNull();
    expect((await client.session()).user).toBeUndefined();
    // The membership was asked with the user's own token, for the allowed organisations only.
    expect(github.requests).toContain("GET /api/v3/user/memberships/orgs/acme");
    expect(github.requests).not.toContain("GET /api/v3/user/memberships/orgs/some-other-org");
  });

  it("creates a member of an allowed organisation with the configured role, never admin, and signs them in again", async () => {
    const member = account("member", { orgs: { "other-org": "active" } });
    const first = await signIn(member);
    expect(first.location).toBe("/");
    const created = await userByGithub(member.id);
    expect(created).toMatchObject({ email: member.emails[0]?.email, role: "copywriter" });
    expect(await first.client.session()).toMatchObject({ user: { id: created?.id, role: "copywriter" } });

    // Leaving the organisation later does not matter to an account that exists; the link does.
    const again = await signIn({ ...member, orgs: {} });
    expect(again.location).toBe("/");
    expect(await again.client.session()).toMatchObject({ user: { id: created?.id } });
  });

  it("accepts an invited, verified email with the invitation's role and uses the invitation up", async () => {
    const invited = account("invited", {
      emails: [
        { email: `${unique("primary")}@users.example.com`, verified: true, primary: true },
        { email: `${unique("work")}@example.com`, verified: true, primary: false },
      ],
    });
    const workEmail = invited.emails[1]?.email ?? "";
    await createInvitation(admin.id, { email: workEmail.toUpperCase(), role: "engineer" });
    const { location, client } = await signIn(invited);
    expect(location).toBe("/");
    expect(await userByGithub(invited.id)).toMatchObject({ email: workEmail, role: "engineer" });
    expect(await client.session()).toMatchObject({ user: { role: "engineer" } });
    expect((await listInvitations(admin.id)).map((invitation) => invitation.email)).not.toContain(workEmail);
  });

  it("refuses an invitation whose email GitHub has not verified", async () => {
    const email = `${unique("unverified")}@example.com`;
    await createInvitation(admin.id, { email, role: "engineer" });
    const impostor = account("impostor", {
      emails: [
        { email: `${unique("own")}@users.example.com`, verified: true, primary: true },
        { email, verified: false, primary: false },
      ],
    });
    expect((await signIn(impostor)).location).toBe("/login?error=NotInvited");
    expect(await db().user.findUnique({ where: { email } })).toBeNull();
  });

  it("never links to an existing account by email alone, even for a verified email of an org member", async () => {
    const email = `${unique("alice")}@example.com`;
    const alice = await createPerson({ email, password: PASSWORD, role: "copywriter" });
    const claimant = account("claimant", { email, orgs: { acme: "active" } });
    expect((await signIn(claimant)).location).toBe("/login?error=LinkRefused");
    expect(await db().user.findUnique({ where: { id: alice.id }, select: { githubId: true } })).toEqual({ githubId: null });

    // Unverified on GitHub: an invitation for the address does not help.
    await createInvitation(admin.id, { email, role: "engineer" });
    const unverified = account("claimant2", { email, verified: false, orgs: { acme: "active" } });
    expect((await signIn(unverified)).location).toBe("/login?error=GitHubEmail");
    expect(await userByGithub(unverified.id)).toBeNull();

    // Invited and verified: GitHub is attached to the account, whose role stays what it was.
    const owner = account("owner", { email });
    const { location, client } = await signIn(owner);
    expect(location).toBe("/");
    expect(await userByGithub(owner.id)).toEqual({ id: alice.id, email, role: "copywriter" });
    expect(await client.session()).toMatchObject({ user: { id: alice.id } });

    // A second GitHub identity with the same verified email cannot take the linked account over.
    await createInvitation(admin.id, { email, role: "admin" });
    const second = account("second", { email });
    expect((await signIn(second)).location).toBe("/login?error=LinkRefused");
    expect(await userByGithub(second.id)).toBeNull();
  });
});
