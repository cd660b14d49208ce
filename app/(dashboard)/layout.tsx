import Link from "next/link";
import type { ReactNode } from "react";
import { requireUser } from "@/lib/http/require-user";
import { SignOutButton } from "./sign-out-button";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <>
      <nav className="nav">
        <Link href="/" className="brand">
          Patchbay
        </Link>
        <Link href="/">Tasks</Link>
        <Link href="/copy">Copy</Link>
        {user.role !== "copywriter" && <Link href="/environments">Environments</Link>}
        {user.role !== "copywriter" && <Link href="/triggers">Triggers</Link>}
        {user.role === "admin" && <Link href="/people">People</Link>}
        {user.role === "admin" && <Link href="/workers">Workers</Link>}
        <Link href="/tokens">API tokens</Link>
        <span className="spacer" />
        <span className="muted">{user.email}</span>
        <SignOutButton />
      </nav>
      <main>{children}</main>
    </>
  );
}
