"use server";

import { headers } from "next/headers";
import { requestClientAddress } from "@/lib/auth";
import { createFirstAdmin } from "@/lib/auth/first-run";
import { beginLoginAttempt, loginSucceeded, rateLimitMessage } from "@/lib/auth/login-rate-limit";
import { isAppError } from "@/lib/errors";
import { redisPublisher } from "@/lib/queue/producer";
import { formText } from "@/lib/http/form-fields";

export type FirstAdminState = { error?: string; created?: boolean };

// Setup-code guesses are throttled per client address, like password guesses (lib/auth/login-rate-limit.ts).
export async function createFirstAdminAction(_previous: FirstAdminState, form: FormData): Promise<FirstAdminState> {
  const address = requestClientAddress(await headers());
  const redis = redisPublisher();
  const throttleKey = `setup-code@${address}`;
  const attempt = await beginLoginAttempt(redis, throttleKey, address);
  if (!attempt.allowed) return { error: rateLimitMessage(attempt) };
  try {
    await createFirstAdmin({ code: formText(form, "code"), email: formText(form, "email"), password: formText(form, "password") });
  } catch (error) {
    if (isAppError(error)) return { error: error.userMessage };
    throw error;
  }
  await loginSucceeded(redis, throttleKey, address);
  return { created: true };
}
