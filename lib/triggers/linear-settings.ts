// An environment's Linear webhook, stored on Environment.linear: the signing secret Linear shows when the
// webhook is created (the person pastes it here), the API key of the Linear user Patchbay acts as, and who
// that user is. The user is read from Linear when the key is saved, so the receiver knows whom an assignment
// or a mention is for without calling Linear during a delivery. The secret and the key stay sealed
// (PATCHBAY_SECRETS_KEY) and are never shown again.
import { z } from "zod";
import { db, DbNull } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { openSecret, sealedSecretSchema, sealSecret, secretsKey } from "@/lib/secrets/secret-box";
import { linearViewer } from "./linear-api";
import type { LinearAgent } from "./linear-delivery";

// Bound into each sealed value, so the key cannot be opened as the secret or the other way round.
const SIGNING_SECRET_NAME = "linearSigningSecret";
const API_KEY_NAME = "linearApiKey";

const agentSchema = z.strictObject({ userId: z.string().min(1), name: z.string(), displayName: z.string().optional() });
const storedSchema = z.strictObject({ signingSecret: sealedSecretSchema, apiKey: sealedSecretSchema, agent: agentSchema });

/** What the settings form and `PUT /linear` take; a field left blank keeps what is stored. */
export const linearSettingsInputSchema = z.strictObject({
  signingSecret: z.string().trim().max(500, "The signing secret is longer than any Linear makes.").optional(),
  apiKey: z.string().trim().max(500, "The API key is longer than any Linear makes.").optional(),
});

export type LinearSettings = { signingSecret: string; apiKey: string; agent: LinearAgent };

/** What the page and the API show: where Linear delivers and whom Patchbay acts as; never the secret or key. */
export type LinearView = { url: string; agent: LinearAgent };

/** The address Linear delivers the environment's webhook to (PATCHBAY_PUBLIC_URL, which Linear must reach). */
export function linearWebhookUrl(environmentId: string): string {
  const base = (sharedEnv().PATCHBAY_PUBLIC_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  return `${base}/api/v1/webhooks/linear/${environmentId}`;
}

export function sealLinearSettings(keyText: string | undefined, settings: LinearSettings) {
  const key = secretsKey(keyText);
  return {
    signingSecret: sealSecret(key, SIGNING_SECRET_NAME, settings.signingSecret),
    apiKey: sealSecret(key, API_KEY_NAME, settings.apiKey),
    agent: settings.agent,
  };
}

/** The stored settings in the clear; null when Linear is not set up (or the row is from an older shape). */
export function openLinearSettings(stored: unknown, keyText: string | undefined): LinearSettings | null {
  const parsed = storedSchema.safeParse(stored);
  if (!parsed.success) return null;
  const key = secretsKey(keyText);
  return {
    signingSecret: openSecret(key, SIGNING_SECRET_NAME, parsed.data.signingSecret),
    apiKey: openSecret(key, API_KEY_NAME, parsed.data.apiKey),
    agent: parsed.data.agent,
  };
}

export function linearView(environmentId: string, stored: unknown): LinearView | null {
  const parsed = storedSchema.safeParse(stored);
  return parsed.success ? { url: linearWebhookUrl(environmentId), agent: parsed.data.agent } : null;
}

/**
 * Sets (or changes) the environment's Linear webhook. The API key is checked by asking Linear whose it is:
 * that user is the one people assign issues to or mention. `apiUrl` is Linear's GraphQL address
 * (PATCHBAY_LINEAR_API_URL; tests pass an imitation's).
 */
export async function setLinearSettings(userId: string, environmentId: string, input: unknown, options: { apiUrl?: string } = {}): Promise<LinearView> {
  const given = linearSettingsInputSchema.parse(input ?? {});
  const environment = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { id: true, linear: true } });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  const keyText = sharedEnv().PATCHBAY_SECRETS_KEY;
  const current = openLinearSettings(environment.linear, keyText);
  const signingSecret = given.signingSecret || current?.signingSecret;
  const apiKey = given.apiKey || current?.apiKey;
  if (!signingSecret) {
    throw new AppError("bad_request", "Paste the webhook's signing secret: Linear shows it on the webhook's page (Settings → API → Webhooks).");
  }
  if (!apiKey) throw new AppError("bad_request", "Paste a Linear API key of the user Patchbay acts as (Settings → Security & access → Personal API keys).");
  const viewer = await linearViewer({ apiKey, apiUrl: options.apiUrl ?? sharedEnv().PATCHBAY_LINEAR_API_URL });
  const agent: LinearAgent = { userId: viewer.id, name: viewer.name, displayName: viewer.displayName };
  await db().environment.update({ where: { id: environment.id }, data: { linear: sealLinearSettings(keyText, { signingSecret, apiKey, agent }) } });
  return { url: linearWebhookUrl(environment.id), agent };
}

export async function clearLinearSettings(userId: string, environmentId: string): Promise<void> {
  const { count } = await db().environment.updateMany({ where: { id: environmentId, ownerId: userId }, data: { linear: DbNull } });
  if (count === 0) throw new AppError("not_found", "Environment not found.");
}
