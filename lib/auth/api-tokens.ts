// API tokens for scripts and integrations. Only a sha256 of the token is stored; the token is shown once.
// A token has a name, an optional expiry and can be revoked; it acts with its owner's current role.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { type ApiTokenSummary, apiTokenStatus, DEFAULT_EXPIRES_IN_DAYS, type NewApiToken, parseCreateApiToken } from "./api-token.schemas";
import { normalizeEmail } from "./users";

const PREFIX = "pb_";
const DAY_MS = 24 * 60 * 60 * 1000;
// lastUsedAt is for people deciding which tokens to revoke; minute precision saves a write per request.
const LAST_USED_PRECISION_MS = 60_000;

const summarySelect = { id: true, name: true, lastFour: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true } as const;
type SummaryRow = {
  id: string;
  name: string | null;
  lastFour: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function toSummary(row: SummaryRow, now: Date): ApiTokenSummary {
  return {
    id: row.id,
    name: row.name,
    hint: row.lastFour ? `${PREFIX}…${row.lastFour}` : null,
    status: apiTokenStatus(row, now),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

async function insertToken(userId: string, name: string | null, expiresAt: Date | null): Promise<NewApiToken> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const row = await db().apiToken.create({
    data: { userId, tokenHash: hashToken(token), lastFour: token.slice(-4), name, expiresAt },
    select: summarySelect,
  });
  return { ...toSummary(row, new Date()), token };
}

/** For tests and scripts: a token with the default expiry unless `expiresAt` says otherwise (null: never). */
export async function createApiToken(userId: string, options: { name?: string; expiresAt?: Date | null } = {}): Promise<string> {
  const expiresAt = options.expiresAt === undefined ? new Date(Date.now() + DEFAULT_EXPIRES_IN_DAYS * DAY_MS) : options.expiresAt;
  return (await insertToken(userId, options.name ?? null, expiresAt)).token;
}

/**
 * A token from `{name, expiresInDays?, expiresAt?}` (CreateApiTokenInput; unknown because request bodies are
 * parsed here). `callerToken` is the bearer token making the request, if any: a token cannot create one that
 * outlives it, so a leaked token cannot extend its own life. The default expiry is shortened to fit.
 */
export async function issueApiToken(userId: string, input: unknown, callerToken?: string | null): Promise<NewApiToken> {
  const now = new Date();
  const { name, expiresAt, isDefault } = parseCreateApiToken(input, now);
  const limit = callerToken ? await callerExpiry(userId, callerToken) : null;
  if (limit && (expiresAt === null || expiresAt > limit)) {
    if (!isDefault) {
      throw new AppError("bad_request", `This request's API token expires on ${limit.toISOString()}; a token it creates cannot expire later.`);
    }
    return insertToken(userId, name, limit);
  }
  return insertToken(userId, name, expiresAt);
}

async function callerExpiry(userId: string, callerToken: string): Promise<Date | null> {
  const row = await db().apiToken.findUnique({ where: { tokenHash: hashToken(callerToken) }, select: { userId: true, expiresAt: true } });
  return row?.userId === userId ? row.expiresAt : null;
}

/** The user's tokens, newest first, revoked and expired ones included (marked by `status`). */
export async function listApiTokens(userId: string): Promise<ApiTokenSummary[]> {
  const rows = await db().apiToken.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: summarySelect });
  const now = new Date();
  return rows.map((row) => toSummary(row, now));
}

/** Revokes one of the user's own tokens; someone else's id is not_found, as if it did not exist. Idempotent. */
export async function revokeApiToken(userId: string, tokenId: string): Promise<ApiTokenSummary> {
  await db().apiToken.updateMany({ where: { id: tokenId, userId, revokedAt: null }, data: { revokedAt: new Date() } });
  const row = await db().apiToken.findFirst({ where: { id: tokenId, userId }, select: summarySelect });
  if (!row) throw new AppError("not_found", "API token not found.");
  return toSummary(row, new Date());
}

/** The operator's view (CLI): anyone's tokens by email. */
export async function listApiTokensByEmail(email: string): Promise<{ email: string; tokens: ApiTokenSummary[] }> {
  const user = await db().user.findUnique({ where: { email: normalizeEmail(email) }, select: { id: true, email: true } });
  if (!user) throw new AppError("not_found", `No account has the email ${email}.`);
  return { email: user.email, tokens: await listApiTokens(user.id) };
}

/** The operator's revoke (CLI): any token by id. */
export async function revokeApiTokenAsOperator(tokenId: string): Promise<ApiTokenSummary & { email: string }> {
  const owner = await db().apiToken.findUnique({ where: { id: tokenId }, select: { user: { select: { id: true, email: true } } } });
  if (!owner) throw new AppError("not_found", `No API token has the id ${tokenId}.`);
  return { ...(await revokeApiToken(owner.user.id, tokenId)), email: owner.user.email };
}

/** The token from an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | null): string | null {
  return (header && /^Bearer\s+(\S+)$/i.exec(header)?.[1]) || null;
}

export type TokenUser = { id: string; email: string; role: string };

/**
 * The token's owner, or null when no token matches. An expired or revoked token throws unauthorized with
 * a message that says so, so a script's log tells its operator what to renew.
 */
export async function userForApiToken(token: string): Promise<TokenUser | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const row = await db().apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, name: true, expiresAt: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, email: true, role: true } } },
  });
  if (!row) return null;
  const now = new Date();
  const label = row.name ? `The API token "${row.name}"` : "The API token";
  if (row.revokedAt) throw new AppError("unauthorized", `${label} was revoked on ${row.revokedAt.toISOString()}.`);
  if (row.expiresAt && row.expiresAt <= now) {
    throw new AppError("unauthorized", `${label} expired on ${row.expiresAt.toISOString()}; create a new one on the API tokens page.`);
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
    await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return row.user;
}
