// next-auth configuration (web only). Sessions are JWTs; users live in our own tables via lib/auth/users.
// Email + password is the self-hoster's login; GitHub OAuth appears when GITHUB_ID/GITHUB_SECRET are set,
// and lets in only invited people and members of allowed organisations (lib/auth/github-sign-in.ts).
import "server-only";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { webEnv } from "@/lib/env";
import { clientAddress, parseTrustedProxies } from "@/lib/auth/client-address";
import { fetchGithubIdentity, GITHUB_SCOPES, githubUrls, identityFromProfile, isActiveOrgMember } from "@/lib/auth/github";
import { signInWithGithub } from "@/lib/auth/github-sign-in";
import { beginLoginAttempt, loginSucceeded, rateLimitMessage } from "@/lib/auth/login-rate-limit";
import { getUser, verifyCredentials, type SessionUser } from "@/lib/auth/users";
import { isAppError } from "@/lib/errors";
import { redisPublisher } from "@/lib/queue/producer";
import { isSessionRevoked, revokeSession } from "@/lib/auth/session-revocation";

function headerValue(headers: Record<string, unknown> | undefined, name: string | undefined): string | undefined {
  const value = name ? headers?.[name.toLowerCase()] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The client address of a request, from next-auth's request-like `{headers}` (a plain object of the
 * request's headers) or a Headers object. See lib/auth/client-address.ts for why a header carries it.
 */
export function requestClientAddress(headers: Record<string, unknown> | Headers | undefined): string {
  const env = webEnv();
  const plain = headers instanceof Headers ? Object.fromEntries(headers) : headers;
  return clientAddress({
    peer: headerValue(plain, env.PATCHBAY_PEER_ADDRESS_HEADER),
    forwardedFor: headerValue(plain, "x-forwarded-for"),
    trusted: parseTrustedProxies(env.PATCHBAY_TRUSTED_PROXIES),
  });
}

function githubProvider(env: ReturnType<typeof webEnv>, clientId: string, clientSecret: string) {
  const urls = githubUrls(env.PATCHBAY_GITHUB_URL);
  return GitHubProvider({
    clientId,
    clientSecret,
    issuer: `${urls.web}/login/oauth`,
    authorization: { url: `${urls.web}/login/oauth/authorize`, params: { scope: GITHUB_SCOPES } },
    token: `${urls.web}/login/oauth/access_token`,
    userinfo: {
      url: `${urls.api}/user`,
      // The profile carries every email with GitHub's verified flag, for the sign-in decision below.
      async request({ tokens }) {
        const identity = await fetchGithubIdentity(urls.api, String(tokens.access_token ?? ""));
        const primary = identity.emails.find((email) => email.primary && email.verified);
        return { id: identity.id, login: identity.login, name: identity.name ?? undefined, email: primary?.email, patchbayEmails: identity.emails };
      },
    },
  });
}

export function authOptions(): NextAuthOptions {
  const env = webEnv();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const email = String(credentials?.email ?? "")
          .trim()
          .toLowerCase();
        const password = String(credentials?.password ?? "");
        if (!email || !password) return null;
        const address = requestClientAddress(request?.headers as Record<string, unknown> | undefined);
        const redis = redisPublisher();
        // Counted before the password is checked: parallel guesses all count, and a success undoes it.
        const attempt = await beginLoginAttempt(redis, email, address);
        if (!attempt.allowed) throw new Error(rateLimitMessage(attempt));
        let user: SessionUser | null;
        try {
          user = await verifyCredentials(email, password);
        } catch (error) {
          // "Busy, retry" from the password hashing limit reaches the form as its message.
          if (isAppError(error)) throw new Error(error.userMessage);
          throw error;
        }
        if (!user) return null;
        await loginSucceeded(redis, email, address);
        return { id: user.id, email: user.email, name: user.name, role: user.role };
      },
    }),
  ];
  if (env.GITHUB_ID && env.GITHUB_SECRET) providers.push(githubProvider(env, env.GITHUB_ID, env.GITHUB_SECRET));
  const apiUrl = githubUrls(env.PATCHBAY_GITHUB_URL).api;

  return {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
    // Secure cookies whenever the public URL is https (a TLS proxy in front), whatever the hop to us was.
    useSecureCookies: env.NEXTAUTH_URL.startsWith("https://"),
    pages: { signIn: "/login", error: "/login" },
    providers,
    events: {
      async signOut({ token }) {
        if (typeof token?.jti === "string" && typeof token.exp === "number") await revokeSession(redisPublisher(), token.jti, token.exp);
      },
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "github") return true;
        const identity = identityFromProfile(profile);
        if (!identity) return "/login?error=GitHubEmail";
        const token = String(account.access_token ?? "");
        const result = await signInWithGithub(identity, {
          allowedOrgs: env.PATCHBAY_GITHUB_ALLOWED_ORGS,
          defaultRole: env.PATCHBAY_GITHUB_DEFAULT_ROLE,
          isOrgMember: () => isActiveOrgMember(apiUrl, token, env.PATCHBAY_GITHUB_ALLOWED_ORGS),
        });
        if (!result.ok) return `/login?error=${result.error}`;
        user.id = result.user.id;
        user.email = result.user.email;
        (user as { role?: string }).role = result.user.role;
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.role = (user as { role?: string }).role ?? "engineer";
        }
        return token;
      },
      async session({ session, token }) {
        // A signed-out session's token is refused even if its cookie was copied (session-revocation.ts).
        if (typeof token.jti === "string" && (await isSessionRevoked(redisPublisher(), token.jti))) {
          return { expires: session.expires };
        }
        if (session.user) {
          (session.user as SessionLike).id = String(token.uid ?? "");
          (session.user as SessionLike).role = String(token.role ?? "engineer");
        }
        return session;
      },
    },
  };
}

type SessionLike = { id?: string; role?: string };

/**
 * The signed-in user from the session cookie, or null. Role and email come from the database, not the
 * JWT: a token keeps its claims for days, and a role change or a deleted account must apply at once.
 */
export async function currentUser(): Promise<(Pick<SessionUser, "id" | "email"> & { role: string }) | null> {
  const session = await getServerSession(authOptions());
  const userId = (session?.user as SessionLike | undefined)?.id;
  if (!userId) return null;
  const user = await getUser(userId);
  if (!user) return null;
  return { id: user.id, email: user.email, role: user.role };
}
