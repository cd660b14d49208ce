// GitHub's API as sign-in needs it: who the user is, which of their emails GitHub has verified, and
// whether they belong to an allowed organisation. Works with GitHub Enterprise Server through its URL.
import { z } from "zod";

// read:org lets the membership check see private memberships.
export const GITHUB_SCOPES = "read:user user:email read:org";

export type GithubUrls = { web: string; api: string };

/** github.com's API lives on its own host; GitHub Enterprise Server serves it under /api/v3. */
export function githubUrls(webUrl: string): GithubUrls {
  const web = webUrl.replace(/\/+$/, "");
  return { web, api: new URL(web).hostname === "github.com" ? "https://api.github.com" : `${web}/api/v3` };
}

const userSchema = z.object({ id: z.union([z.number(), z.string()]), login: z.string(), name: z.string().nullish(), avatar_url: z.string().nullish() });
const emailsSchema = z.array(z.object({ email: z.string(), verified: z.boolean(), primary: z.boolean() }));

export type GithubEmail = z.infer<typeof emailsSchema>[number];
export type GithubIdentity = { id: string; login: string; name: string | null; emails: GithubEmail[] };

async function getJson(apiUrl: string, path: string, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${apiUrl}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "user-agent": "patchbay" },
    redirect: "error",
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
  return { status: response.status, body };
}

/** The user and all their emails with GitHub's `verified` flag (GET /user, GET /user/emails). */
export async function fetchGithubIdentity(apiUrl: string, token: string): Promise<GithubIdentity> {
  const user = await getJson(apiUrl, "/user", token);
  if (user.status !== 200) throw new Error(`GitHub /user answered ${user.status}`);
  const profile = userSchema.parse(user.body);
  const emails = await getJson(apiUrl, "/user/emails", token);
  if (emails.status !== 200) throw new Error(`GitHub /user/emails answered ${emails.status}`);
  return { id: String(profile.id), login: profile.login, name: profile.name ?? null, emails: emailsSchema.parse(emails.body) };
}

/**
 * True when the token's user is an active member of one of the organisations (GET /user/memberships/orgs/{org}).
 * A pending invitation is not membership; an organisation that restricts OAuth apps answers 403, which is no.
 */
export async function isActiveOrgMember(apiUrl: string, token: string, orgs: readonly string[]): Promise<boolean> {
  for (const org of orgs) {
    const membership = await getJson(apiUrl, `/user/memberships/orgs/${encodeURIComponent(org)}`, token);
    if (membership.status === 200 && (membership.body as { state?: unknown }).state === "active") return true;
  }
  return false;
}

/** The identity that the provider's userinfo step put in the profile (see lib/auth.ts). */
export function identityFromProfile(profile: unknown): GithubIdentity | null {
  const parsed = z
    .object({ id: z.union([z.number(), z.string()]), login: z.string(), name: z.string().nullish(), patchbayEmails: emailsSchema })
    .safeParse(profile);
  if (!parsed.success) return null;
  return { id: String(parsed.data.id), login: parsed.data.login, name: parsed.data.name ?? null, emails: parsed.data.patchbayEmails };
}
