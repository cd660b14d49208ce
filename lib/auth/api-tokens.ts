// API tokens for scripts and integrations. Only a sha256 of the token is stored; the token is shown once.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";

const PREFIX = "pb_";

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createApiToken(userId: string, name?: string): Promise<string> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  await db().apiToken.create({ data: { userId, tokenHash: hashToken(token), name: name ?? null } });
  return token;
}

export type TokenUser = { id: string; email: string; role: string };

export async function userForApiToken(token: string): Promise<TokenUser | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const row = await db().apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, user: { select: { id: true, email: true, role: true } } },
  });
  if (!row) return null;
  await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return row.user;
}
