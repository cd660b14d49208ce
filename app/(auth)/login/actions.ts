"use server";

import { createFirstAdmin } from "@/lib/auth/users";
import { isAppError } from "@/lib/errors";

export type FirstAdminState = { error?: string; created?: boolean };

export async function createFirstAdminAction(_previous: FirstAdminState, form: FormData): Promise<FirstAdminState> {
  try {
    await createFirstAdmin(String(form.get("email") ?? ""), String(form.get("password") ?? ""));
    return { created: true };
  } catch (error) {
    if (isAppError(error)) return { error: error.userMessage };
    throw error;
  }
}
