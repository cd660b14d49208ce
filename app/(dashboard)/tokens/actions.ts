"use server";

import { revalidatePath } from "next/cache";
import { type NewApiToken, parseExpiresInDays } from "@/lib/auth/api-token.schemas";
import { issueApiToken, revokeApiToken } from "@/lib/auth/api-tokens";
import { isAppError } from "@/lib/errors";
import { requireUser } from "@/lib/http/require-user";

export type CreateTokenState = { error?: string; created?: NewApiToken };
export type RevokeTokenState = { error?: string };

// api-tokens.ts turns bad input into AppErrors, so anything else is a real fault and goes to the error page.
function userMessage(error: unknown): string {
  if (isAppError(error)) return error.userMessage;
  throw error;
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

// Server actions are public endpoints: each one acts for the signed-in user on that user's tokens only.
export async function createTokenAction(_previous: CreateTokenState, form: FormData): Promise<CreateTokenState> {
  const user = await requireUser();
  let created: NewApiToken;
  try {
    created = await issueApiToken(user.id, { name: text(form, "name"), expiresInDays: parseExpiresInDays(text(form, "expiry")) });
  } catch (error) {
    return { error: userMessage(error) };
  }
  revalidatePath("/tokens");
  return { created };
}

export async function revokeTokenAction(tokenId: string, _previous: RevokeTokenState, _form: FormData): Promise<RevokeTokenState> {
  const user = await requireUser();
  try {
    await revokeApiToken(user.id, tokenId);
  } catch (error) {
    return { error: userMessage(error) };
  }
  revalidatePath("/tokens");
  return {};
}
