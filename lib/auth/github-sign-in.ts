// Who may sign in with GitHub. Joining is explicit: an admin's invitation for one of the user's verified
// emails, or active membership of an allowed organisation (with the operator's default role, never admin).
// A GitHub identity is attached to an existing account only through an invitation for that account's
// email, verified on GitHub: an email alone is not proof of owning the account. The first admin comes
// from the first-run form or PATCHBAY_ADMIN_EMAIL, never from GitHub.
import { db, isUniqueViolation, type Role } from "@/lib/db";
import type { GithubIdentity } from "./github";
import { normalizeEmail, type SessionUser, userSelect } from "./users";

export type GithubJoinPolicy = {
  allowedOrgs: readonly string[];
  defaultRole: Extract<Role, "engineer" | "copywriter">;
  /** Asked only when an allowed-organisation member would be created (it costs API calls). */
  isOrgMember: () => Promise<boolean>;
};

/** Each refusal is a `?error=` code the login page explains. */
export type GithubSignInRefusal = "NotInvited" | "GitHubEmail" | "LinkRefused" | "FirstRun";
export type GithubSignIn = { ok: true; user: SessionUser } | { ok: false; error: GithubSignInRefusal };

export async function signInWithGithub(identity: GithubIdentity, policy: GithubJoinPolicy): Promise<GithubSignIn> {
  const linked = await db().user.findUnique({ where: { githubId: identity.id }, select: userSelect });
  if (linked) return { ok: true, user: linked };
  if ((await db().user.count()) === 0) return { ok: false, error: "FirstRun" };

  const verified = [...new Set(identity.emails.filter((email) => email.verified).map((email) => normalizeEmail(email.email)))];
  if (verified.length === 0) return { ok: false, error: "GitHubEmail" };
  const invitations = await db().invitation.findMany({
    where: { email: { in: verified }, expiresAt: { gt: new Date() } },
    select: { id: true, email: true, role: true },
  });

  const existing = await db().user.findFirst({ where: { email: { in: verified } }, select: { ...userSelect, githubId: true } });
  if (existing) {
    const invitation = invitations.find((candidate) => candidate.email === existing.email);
    if (existing.githubId || !invitation) return { ok: false, error: "LinkRefused" };
    return db().$transaction(async (tx) => {
      // Both conditions are re-checked in the writes: a revoked invitation or a link made meanwhile wins.
      const used = await tx.invitation.deleteMany({ where: { id: invitation.id } });
      const attached = await tx.user.updateMany({ where: { id: existing.id, githubId: null }, data: { githubId: identity.id } });
      if (used.count !== 1 || attached.count !== 1) throw new Error("The invitation or the account changed during sign-in; try again.");
      return { ok: true, user: { id: existing.id, email: existing.email, role: existing.role, name: existing.name } } as const;
    });
  }

  const primary = identity.emails.find((email) => email.primary && email.verified);
  const invitation = invitations.find((candidate) => primary && candidate.email === normalizeEmail(primary.email)) ?? invitations[0];
  try {
    if (invitation) {
      return await db().$transaction(async (tx) => {
        const used = await tx.invitation.deleteMany({ where: { id: invitation.id } });
        if (used.count !== 1) throw new Error("The invitation was used or revoked during sign-in; try again.");
        const user = await tx.user.create({
          data: { email: invitation.email, name: identity.name ?? identity.login, githubId: identity.id, role: invitation.role },
          select: userSelect,
        });
        return { ok: true, user } as const;
      });
    }
    if (policy.allowedOrgs.length > 0 && (await policy.isOrgMember())) {
      const email = primary ? normalizeEmail(primary.email) : (verified[0] ?? "");
      const user = await db().user.create({
        data: { email, name: identity.name ?? identity.login, githubId: identity.id, role: policy.defaultRole },
        select: userSelect,
      });
      return { ok: true, user };
    }
  } catch (error) {
    // Two sign-ins of the same person at once: the other one created the account.
    if (isUniqueViolation(error)) return { ok: false, error: "LinkRefused" };
    throw error;
  }
  return { ok: false, error: "NotInvited" };
}
