// For pages and server actions: the signed-in user, or a redirect to the login page.
import "server-only";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";

export async function requireUser(): Promise<{ id: string; email: string; role: string }> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}
