// /api/v1/tokens (GET, POST) and /api/v1/tokens/:id (DELETE) called in-process with API tokens against real
// Postgres: a case per status, and expired or revoked tokens refused with a message that says which.
import { createHash } from "node:crypto";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { createPerson } from "@/lib/auth/people";
import { db } from "@/lib/db";
import { DELETE } from "./[tokenId]/route";
import { GET, POST } from "./route";

const PASSWORD = "a-good-long-password";
const DAY_MS = 24 * 60 * 60 * 1000;
let counter = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now()}-${counter++}@example.com`;

function request(method: string, token: string, body?: unknown): NextRequest {
  return new NextRequest("http://localhost/api/v1/tokens", {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

const noParams = { params: Promise.resolve({}) };
const tokenParams = (tokenId: string) => ({ params: Promise.resolve({ tokenId }) });
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

type Listed = { tokens: Array<Record<string, unknown>> };

async function create(token: string, body: unknown): Promise<{ id: string; token: string; expiresAt: string | null }> {
  const response = await POST(request("POST", token, body), noParams);
  expect(response.status).toBe(201);
  return response.json();
}

let ownerId: string;
let ownerToken: string;
let strangerToken: string;

beforeAll(async () => {
  const owner = await createPerson({ email: uniqueEmail("tokens-owner"), password: PASSWORD, role: "copywriter" });
  ownerId = owner.id;
  // No expiry, so the tokens it creates are not shortened to fit it.
  ownerToken = await createApiToken(owner.id, { name: "bootstrap", expiresAt: null });
  const stranger = await createPerson({ email: uniqueEmail("tokens-stranger"), password: PASSWORD, role: "admin" });
  strangerToken = await createApiToken(stranger.id, { name: "stranger" });
});

describe("POST /api/v1/tokens", () => {
  it("201 with the secret once, a 90-day default expiry and a recognisable tail; the secret works", async () => {
    const before = Date.now();
    const response = await POST(request("POST", ownerToken, { name: " deploy script " }), noParams);
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toMatchObject({ name: "deploy script", status: "active", lastUsedAt: null, revokedAt: null });
    expect(body.token).toMatch(/^pb_[A-Za-z0-9_-]{43}$/);
    expect(body.hint).toBe(`pb_…${body.token.slice(-4)}`);
    const expires = new Date(body.expiresAt).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 90 * DAY_MS);
    expect(expires).toBeLessThanOrEqual(Date.now() + 90 * DAY_MS);
    const stored = await db().apiToken.findUniqueOrThrow({ where: { id: body.id }, select: { tokenHash: true, userId: true } });
    expect(stored).toEqual({ tokenHash: sha256(body.token), userId: ownerId });
    expect((await GET(request("GET", body.token), noParams)).status).toBe(200);
  });

  it("201: expiresInDays, expiresAt, or null for no expiry", async () => {
    const week = await create(ownerToken, { name: "week", expiresInDays: 7 });
    expect(new Date(week.expiresAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 6.9 * DAY_MS);
    expect((await create(ownerToken, { name: "dated", expiresAt: "2030-01-01T00:00:00Z" })).expiresAt).toBe("2030-01-01T00:00:00.000Z");
    expect((await create(ownerToken, { name: "forever", expiresInDays: null })).expiresAt).toBeNull();
  });

  it("400 for a missing name, a bad expiry or unknown fields; nothing is created", async () => {
    const count = await db().apiToken.count({ where: { userId: ownerId } });
    for (const body of [{}, { name: "x", expiresInDays: 0 }, { name: "x", expiresAt: "2001-01-01T00:00:00Z" }, { name: "x", scopes: [] }, "{not json"]) {
      const response = await POST(request("POST", ownerToken, body), noParams);
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe("bad_request");
    }
    expect(await db().apiToken.count({ where: { userId: ownerId } })).toBe(count);
  });

  it("a token cannot create one that outlives it: 400 when asked, the default is shortened", async () => {
    const shortLived = await createApiToken(ownerId, { name: "short", expiresAt: new Date(Date.now() + 2 * DAY_MS) });
    const limit = (await db().apiToken.findFirstOrThrow({ where: { tokenHash: sha256(shortLived) }, select: { expiresAt: true } })).expiresAt;
    for (const body of [
      { name: "longer", expiresInDays: 30 },
      { name: "forever", expiresInDays: null },
    ]) {
      const response = await POST(request("POST", shortLived, body), noParams);
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toContain("cannot expire later");
    }
    expect((await create(shortLived, { name: "default" })).expiresAt).toBe(limit?.toISOString());
    expect((await create(shortLived, { name: "shorter", expiresInDays: 1 })).expiresAt).not.toBe(limit?.toISOString());
  });

  it("401 without a valid token", async () => {
    const response = await POST(request("POST", "pb_not-a-real-token", { name: "x" }), noParams);
    expect(response.status).toBe(401);
  });
});

describe("GET /api/v1/tokens", () => {
  it("200 with the caller's own tokens, newest first, never a secret or a hash", async () => {
    const created = await create(ownerToken, { name: "listed" });
    const response = await GET(request("GET", ownerToken), noParams);
    expect(response.status).toBe(200);
    const text = await response.text();
    const { tokens } = JSON.parse(text) as Listed;
    expect(tokens[0]).toMatchObject({ id: created.id, name: "listed", status: "active" });
    expect(tokens.map((token) => token.name)).toContain("bootstrap");
    expect(tokens.map((token) => token.name)).not.toContain("stranger");
    for (const token of tokens)
      expect(Object.keys(token).sort()).toEqual(["createdAt", "expiresAt", "hint", "id", "lastUsedAt", "name", "revokedAt", "status"]);
    for (const secret of [created.token, ownerToken]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sha256(secret));
    }
  });

  it("lastUsedAt is written on first use, then at most once a minute", async () => {
    const token = await createApiToken(ownerId, { name: "usage" });
    const where = { tokenHash: sha256(token) };
    await GET(request("GET", token), noParams);
    const first = (await db().apiToken.findUniqueOrThrow({ where, select: { lastUsedAt: true } })).lastUsedAt;
    expect(first).not.toBeNull();
    await GET(request("GET", token), noParams);
    expect((await db().apiToken.findUniqueOrThrow({ where, select: { lastUsedAt: true } })).lastUsedAt).toEqual(first);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await db().apiToken.update({ where, data: { lastUsedAt: twoMinutesAgo } });
    await GET(request("GET", token), noParams);
    const later = (await db().apiToken.findUniqueOrThrow({ where, select: { lastUsedAt: true } })).lastUsedAt;
    expect(later?.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });
});

describe("DELETE /api/v1/tokens/:id", () => {
  it("200 revokes; the revoked token is refused with 401 saying so; revoking again is 200", async () => {
    const created = await create(ownerToken, { name: "to revoke" });
    const response = await DELETE(request("DELETE", ownerToken), tokenParams(created.id));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ id: created.id, status: "revoked" });
    expect(body.revokedAt).toEqual(expect.any(String));
    expect(body).not.toHaveProperty("token");

    const refused = await GET(request("GET", created.token), noParams);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error).toEqual({ code: "unauthorized", message: `The API token "to revoke" was revoked on ${body.revokedAt}.` });

    const again = await DELETE(request("DELETE", ownerToken), tokenParams(created.id));
    expect(again.status).toBe(200);
    expect((await again.json()).revokedAt).toBe(body.revokedAt);
  });

  it("404 for another person's token (even for an admin) and for an unknown id; nothing is revoked", async () => {
    const created = await create(ownerToken, { name: "not yours" });
    for (const id of [created.id, "no-such-token"]) {
      const response = await DELETE(request("DELETE", strangerToken), tokenParams(id));
      expect(response.status).toBe(404);
      expect((await response.json()).error.code).toBe("not_found");
    }
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: created.id }, select: { revokedAt: true } })).revokedAt).toBeNull();
    expect((await GET(request("GET", created.token), noParams)).status).toBe(200);
  });
});

describe("expired tokens", () => {
  it("401 with the expiry date; listed as expired", async () => {
    const expiresAt = new Date(Date.now() - 1000);
    const token = await createApiToken(ownerId, { name: "old", expiresAt });
    const response = await GET(request("GET", token), noParams);
    expect(response.status).toBe(401);
    expect((await response.json()).error.message).toBe(`The API token "old" expired on ${expiresAt.toISOString()}; create a new one on the API tokens page.`);
    const { tokens } = (await (await GET(request("GET", ownerToken), noParams)).json()) as Listed;
    expect(tokens.find((listed) => listed.name === "old")).toMatchObject({ status: "expired", expiresAt: expiresAt.toISOString() });
  });
});
