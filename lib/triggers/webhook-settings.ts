// An environment's webhook from its forge: the secret deliveries are signed with (Patchbay makes it, shows it
// once, and keeps it sealed), and the filters of automatic review. Stored on Environment.webhook.
import { randomBytes } from "node:crypto";
import picomatch from "picomatch";
import { z } from "zod";
import { sharedEnv } from "@/lib/env";
import { openSecret, sealedSecretSchema, sealSecret, secretsKey } from "@/lib/secrets/secret-box";

const SEALED_NAME = "webhookSecret";

export const SEVERITIES = ["P0", "P1", "P2", "P3"] as const;

const globList = z
  .array(z.string().trim().min(1).max(200))
  .max(50)
  .default([])
  .refine((globs) => globs.every((glob) => !glob.startsWith("!")), "Write the patterns to include; a leading ! is not supported.");

/** Automatic review of every pull request, and which ones it skips. */
export const autoReviewSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Base branches whose PRs are reviewed (globs); empty: all. */
  branches: globList,
  /** Review only when the PR changes one of these paths (globs); empty: any change. */
  paths: globList,
  /** PR authors (forge logins) never reviewed, e.g. bots. */
  skipAuthors: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  /** Review draft PRs too. */
  drafts: z.boolean().default(false),
  /** Findings less severe than this are not posted (P0 is the most severe). */
  minSeverity: z.enum(SEVERITIES).default("P3"),
});
export type AutoReview = z.infer<typeof autoReviewSchema>;

/**
 * The owner's own login on a GitLab or Gitea/Forgejo host. Patchbay's sign-in is GitHub's, so nothing links a
 * Patchbay account to a GitLab or Gitea user: the owner states theirs, and a mention runs only when its
 * author has that login. Only the owner can edit their environment, so nobody else can claim it. (For
 * GitHub, the GitHub id linked at sign-in stays the rule and this is not used.)
 */
export const forgeLoginSchema = z
  .string()
  .trim()
  .max(100)
  .regex(/^[A-Za-z0-9_.@-]*$/, "Write the login as the forge shows it (letters, digits, . _ - @).")
  .transform((login) => login || undefined);

const storedSchema = z.strictObject({ sealed: sealedSecretSchema, autoReview: autoReviewSchema, forgeLogin: z.string().optional() });

/** The forges that deliver webhooks to Patchbay, each to its own receiver (Forgejo uses Gitea's). */
export const WEBHOOK_FORGES = ["github", "gitlab", "gitea"] as const;
export type WebhookForge = (typeof WEBHOOK_FORGES)[number];

export function isWebhookForge(kind: unknown): kind is WebhookForge {
  return (WEBHOOK_FORGES as readonly unknown[]).includes(kind);
}

/** What the page and the API show: never the secret. */
export type WebhookSummary = { enabled: true; autoReview: AutoReview; forgeLogin: string | null };
export type WebhookView = WebhookSummary & { url: string };

export function newWebhookSecret(): string {
  return randomBytes(24).toString("hex");
}

export function sealWebhook(keyText: string | undefined, secret: string, autoReview: AutoReview, forgeLogin?: string | null) {
  return { sealed: sealSecret(secretsKey(keyText), SEALED_NAME, secret), autoReview, ...(forgeLogin ? { forgeLogin } : {}) };
}

export function webhookSummary(stored: unknown): WebhookSummary | null {
  const parsed = storedSchema.safeParse(stored);
  return parsed.success ? { enabled: true, autoReview: parsed.data.autoReview, forgeLogin: parsed.data.forgeLogin ?? null } : null;
}

/**
 * The address a forge delivers an environment's webhook to (PATCHBAY_PUBLIC_URL, which the forge must reach):
 * one receiver per forge, since each proves its deliveries its own way.
 */
export function webhookUrl(environmentId: string, forge: WebhookForge = "github"): string {
  const base = (sharedEnv().PATCHBAY_PUBLIC_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  return `${base}/api/v1/webhooks/${forge}/${environmentId}`;
}

export function webhookView(environmentId: string, stored: unknown, forge: WebhookForge = "github"): WebhookView | null {
  const summary = webhookSummary(stored);
  return summary ? { ...summary, url: webhookUrl(environmentId, forge) } : null;
}

/** The secret and settings in the clear; null when the environment takes no webhooks. */
export function openWebhook(stored: unknown, keyText: string | undefined): { secret: string; autoReview: AutoReview; forgeLogin: string | null } | null {
  const parsed = storedSchema.safeParse(stored);
  if (!parsed.success) return null;
  return {
    secret: openSecret(secretsKey(keyText), SEALED_NAME, parsed.data.sealed),
    autoReview: parsed.data.autoReview,
    forgeLogin: parsed.data.forgeLogin ?? null,
  };
}

/** Why automatic review skips a pull request, or null to review it. */
export function autoReviewSkip(
  settings: AutoReview,
  pull: { baseBranch: string; headBranch: string; author: string; draft: boolean; files: readonly string[] | null },
): string | null {
  if (!settings.enabled) return "automatic review is off for this environment";
  // Patchbay's own branches: reviewing them would answer its own work in a loop.
  if (pull.headBranch.startsWith("patchbay/")) return "the pull request is Patchbay's own";
  if (pull.draft && !settings.drafts) return "the pull request is a draft";
  const skipped = settings.skipAuthors.map((login) => login.toLowerCase());
  if (skipped.includes(pull.author.toLowerCase())) return `its author ${pull.author} is skipped`;
  if (settings.branches.length > 0 && !picomatch(settings.branches)(pull.baseBranch)) {
    return `its base branch ${pull.baseBranch} matches none of ${settings.branches.join(", ")}`;
  }
  if (settings.paths.length > 0 && pull.files !== null) {
    const matches = picomatch(settings.paths, { dot: true });
    if (!pull.files.some((file) => matches(file))) return `it changes none of ${settings.paths.join(", ")}`;
  }
  return null;
}
