// next-auth configuration (web only). Sessions are JWTs; users live in our own tables via lib/auth/users.
// Email + password is the self-hoster's login; GitHub OAuth appears when GITHUB_ID/GITHUB_SECRET are set.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { webEnv } from "@/lib/env";
import { clearFailedLogins, isLoginBlocked, recordFailedLogin } from "@/lib/auth/login-rate-limit";
import { getUser, upsertGithubUser, verifyCredentials, type SessionUser } from "@/lib/auth/users";
import { redisPublisher } from "@/lib/queue/producer";

export const RATE_LIMITED_MESSAGE = "Too many failed sign-in attempts. Wait 15 minutes and try again.";

// The last x-forwarded-for entry is the one our own server (or the proxy nearest to it) appended; earlier
// entries come from the client and could be forged to dodge the per-address limit.
function clientAddress(headers: Record<string, unknown> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const last = typeof forwarded === "string" ? forwarded.split(",").at(-1)?.trim() : undefined;
  return last || "unknown";
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
        const address = clientAddress(request?.headers as Record<string, unknown> | undefined);
        const redis = redisPublisher();
        if (await isLoginBlocked(redis, email, address)) throw new Error(RATE_LIMITED_MESSAGE);
        const user = await verifyCredentials(email, password);
        if (!user) {
          await recordFailedLogin(redis, email, address);
          return null;
        }
        await clearFailedLogins(redis, email);
        return { id: user.id, email: user.email, name: user.name, role: user.role };
      },
    }),
  ];
  if (env.GITHUB_ID && env.GITHUB_SECRET) {
    providers.push(GitHubProvider({ clientId: env.GITHUB_ID, clientSecret: env.GITHUB_SECRET }));
  }

  return {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
    pages: { signIn: "/login" },
    providers,
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "github") return true;
        const email = user.email ?? (profile as { email?: string } | undefined)?.email;
        if (!email) return "/login?error=GitHubEmail";
        const local = await upsertGithubUser({ githubId: String(account.providerAccountId), email, name: user.name ?? null });
        user.id = local.id;
        (user as { role?: string }).role = local.role;
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
