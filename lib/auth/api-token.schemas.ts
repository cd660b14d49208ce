// What an API token looks like outside the database (never its secret or hash), the body that creates one,
// and the expiry rules shared by the API, the API tokens page and the CLI.
import { z } from "zod";
import { AppError } from "@/lib/errors";

/** Like a GitHub token, a new one expires unless its creator asks otherwise; 90 days outlasts a quarter's CI. */
export const DEFAULT_EXPIRES_IN_DAYS = 90;
export const MAX_EXPIRES_IN_DAYS = 3650;
/** The choices on the API tokens page; `never` is a token without an expiry. */
export const EXPIRY_CHOICES = ["7", "30", "90", "365", "never"] as const;

const DAY_MS = 24 * 60 * 60 * 1000;

export type ApiTokenStatus = "active" | "expired" | "revoked";

export type ApiTokenSummary = {
  id: string;
  name: string | null;
  /** `pb_…` and the token's last four characters; null for tokens made before they were kept. */
  hint: string | null;
  status: ApiTokenStatus;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** A token just created: the summary plus the secret, which is never shown again. */
export type NewApiToken = ApiTokenSummary & { token: string };

const expiresInDaysSchema = z
  .number({ error: "expiresInDays must be a whole number of days, or null for no expiry." })
  .int("expiresInDays must be a whole number of days, or null for no expiry.")
  .min(1, "expiresInDays must be at least 1.")
  .max(MAX_EXPIRES_IN_DAYS, `expiresInDays is at most ${MAX_EXPIRES_IN_DAYS}.`);

/** `POST /api/v1/tokens`: omit both expiry fields for the default, send either one as null for no expiry. */
export const createApiTokenSchema = z
  .strictObject({
    name: z.string({ error: "Name is required." }).trim().min(1, "Name is required.").max(100, "Name is at most 100 characters."),
    expiresInDays: expiresInDaysSchema.nullable().optional(),
    expiresAt: z.iso.datetime({ offset: true, error: "expiresAt must be an ISO 8601 date and time, or null for no expiry." }).nullable().optional(),
  })
  .refine((body) => body.expiresInDays === undefined || body.expiresAt === undefined, { error: "Send expiresInDays or expiresAt, not both." });
export type CreateApiTokenInput = z.input<typeof createApiTokenSchema>;

/** The body, checked, with the expiry resolved to a date (null: never expires); `isDefault` when none was asked for. */
export function parseCreateApiToken(input: unknown, now: Date): { name: string; expiresAt: Date | null; isDefault: boolean } {
  const result = createApiTokenSchema.safeParse(input);
  if (!result.success) throw new AppError("bad_request", result.error.issues.map((issue) => issue.message).join(" "));
  const { name, expiresInDays, expiresAt } = result.data;
  if (expiresInDays === null || expiresAt === null) return { name, expiresAt: null, isDefault: false };
  if (expiresAt === undefined) {
    const days = expiresInDays ?? DEFAULT_EXPIRES_IN_DAYS;
    return { name, expiresAt: new Date(now.getTime() + days * DAY_MS), isDefault: expiresInDays === undefined };
  }
  const date = new Date(expiresAt);
  if (date.getTime() <= now.getTime()) throw new AppError("bad_request", "expiresAt must be in the future.");
  if (date.getTime() > now.getTime() + MAX_EXPIRES_IN_DAYS * DAY_MS)
    throw new AppError("bad_request", `expiresAt is at most ${MAX_EXPIRES_IN_DAYS} days away.`);
  return { name, expiresAt: date, isDefault: false };
}

/** `--expires-in-days` and the page's select: a whole number of days, or `never`. */
export function parseExpiresInDays(text: string): number | null {
  const value = text.trim();
  if (value === "never") return null;
  const days = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 1 && days <= MAX_EXPIRES_IN_DAYS)) {
    throw new AppError("bad_request", `Expiry must be a whole number of days from 1 to ${MAX_EXPIRES_IN_DAYS}, or "never"; got "${text}".`);
  }
  return days;
}

export function apiTokenStatus(token: { expiresAt: Date | null; revokedAt: Date | null }, now: Date): ApiTokenStatus {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}
