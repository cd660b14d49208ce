import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";
import { countUsers } from "@/lib/auth/users";
import { webEnv } from "@/lib/env";
import { FirstAdminForm } from "./first-admin-form";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (await currentUser()) redirect("/");
  const env = webEnv();
  const firstRun = (await countUsers()) === 0;
  return (
    <main style={{ maxWidth: 420 }}>
      <h1>Patchbay</h1>
      <div className="panel">{firstRun ? <FirstAdminForm /> : <LoginForm github={Boolean(env.GITHUB_ID && env.GITHUB_SECRET)} />}</div>
    </main>
  );
}
