import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";
import { countUsers } from "@/lib/auth/users";
import { webEnv } from "@/lib/env";
import { FirstAdminForm } from "./first-admin-form";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

// Why a GitHub sign-in was refused (lib/auth/github-sign-in.ts), or next-auth's own error codes.
const ERRORS: Record<string, string> = {
  NotInvited: "This GitHub account has not been invited to Patchbay. Ask an admin to invite your GitHub email address on People.",
  GitHubEmail: "Your GitHub account has no verified email address. Verify one on GitHub, then sign in again.",
  LinkRefused:
    "An account with your GitHub email already exists here. Sign in with its password, or ask an admin to invite that email on People: the invitation lets GitHub sign-in attach to the account.",
  FirstRun: "Patchbay has no admin yet. Create the admin account first, with the setup code that npm start printed.",
};
const FALLBACK_ERROR = "GitHub sign-in did not complete. Try again, or sign in with your email and password.";

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await currentUser()) redirect("/");
  const env = webEnv();
  const firstRun = (await countUsers()) === 0;
  const code = (await searchParams).error;
  const error = typeof code === "string" ? (ERRORS[code] ?? FALLBACK_ERROR) : undefined;
  return (
    <main style={{ maxWidth: 420 }}>
      <h1>Patchbay</h1>
      {error && (
        <p className="error" role="alert" data-testid="login-error">
          {error}
        </p>
      )}
      <div className="panel">{firstRun ? <FirstAdminForm /> : <LoginForm github={Boolean(env.GITHUB_ID && env.GITHUB_SECRET)} />}</div>
    </main>
  );
}
