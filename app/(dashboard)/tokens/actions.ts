"use server";

import { revalidatePath } from "next/cache";
import { type NewApiToken, parseExpiresInDays } from "@/lib/auth/api-token.schemas";
import { issueApiToken, revokeApiToken } from "@/lib/auth/api-tokens";
import { requireUser } from "@/lib/http/require-user";
import { actionErrorMessage, formText } from "@/lib/http/form-fields";

export type CreateTokenState = { error?: string; created?: NewApiToken };
export type RevokeTokenState = { error?: string };

// Server actions are public endpoints: each one acts for the signed-in user on that user's tokens only.
export async function createTokenAction(_previous: CreateTokenState, form: FormData): Promise<CreateTokenState> {
  const user = await requireUser();
  let created: NewApiToken;
  try {
    created = await issueApiToken(user.id, { name: formText(form, "name"), expiresInDays: parseExpiresInDays(formText(form, "expiry")) });
  } catch (error) {
    return { error: actionErrorMessage(error) };
  }
  revalidatePath("/tokens");
  return { created };
}

export async function revokeTokenAction(tokenId: string, _previous: RevokeTokenState, _form: FormData): Promise<RevokeTokenState> {
  const user = await requireUser();
  try {
    await revokeApiToken(user.id, tokenId);
  } catch (error) {
    return { error: actionErrorMessage(error) };
  }
  revalidatePath("/tokens");
  return {};
}
