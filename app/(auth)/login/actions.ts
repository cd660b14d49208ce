"use server";

import { headers } from "next/headers";
import { requestClientAddress } from "@/lib/auth";
import { createFirstAdmin } from "@/lib/auth/first-run";
import { beginLoginAttempt, loginSucceeded, rateLimitMessage } from "@/lib/auth/login-rate-limit";
import { isAppError } from "@/lib/errors";
import { redisPublisher } from "@/lib/queue/producer";

export type FirstAdminState = { error?: string; created?: boolean };

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

// Setup-code guesses are throttled per client address, like password guesses (lib/auth/login-rate-limit.ts).
export async function createFirstAdminAction(_previous: FirstAdminState, form: FormData): Promise<FirstAdminState> {
  const address = requestClientAddress(await headers());
  const redis = redisPublisher();
  const throttleKey = `setup-code@${address}`;
  const attempt = await beginLoginAttempt(redis, throttleKey, address);
  if (!attempt.allowed) return { error: rateLimitMessage(attempt) };
  try {
    await createFirstAdmin({ code: text(form, "code"), email: text(form, "email"), password: text(form, "password") });
  } catch (error) {
    if (isAppError(error)) return { error: error.userMessage };
    throw error;
  }
  await loginSucceeded(redis, throttleKey, address);
  return { created: true };
}
