// /api/v1/users and /api/v1/users/:id called in-process with API tokens against real Postgres: a case per status.
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { createPerson, type Person } from "@/lib/auth/people";
import { PATCH } from "./[userId]/route";
import { GET, POST } from "./route";

const PASSWORD = "a-good-long-password";
let counter = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now()}-${counter++}@example.com`;

function request(method: string, token: string, body?: unknown): NextRequest {
  return new NextRequest("http://localhost/api/v1/users", {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

const noParams = { params: Promise.resolve({}) };
const userParams = (userId: string) => ({ params: Promise.resolve({ userId }) });

let admin: Person;
let adminToken: string;
let engineerToken: string;

beforeAll(async () => {
  admin = await createPerson({ email: uniqueEmail("api-admin"), password: PASSWORD, role: "admin" });
  adminToken = await createApiToken(admin.id);
  const engineer = await createPerson({ email: uniqueEmail("api-eng"), password: PASSWORD, role: "engineer" });
  engineerToken = await createApiToken(engineer.id);
});

describe("GET /api/v1/users", () => {
  it("200: lists people with id, email, name, role and createdAt, and no password hash", async () => {
    const response = await GET(request("GET", adminToken), noParams);
    expect(response.status).toBe(200);
    const { users } = (await response.json()) as { users: Record<string, unknown>[] };
    expect(users.find((user) => user.id === admin.id)).toEqual({ id: admin.id, email: admin.email, name: null, role: "admin", createdAt: admin.createdAt });
    expect(users.every((user) => !("passwordHash" in user))).toBe(true);
  });

  // A request without any token falls through to the session cookie, which needs Next's request scope.
  it("401 for an invalid token, 403 forbidden for a non-admin", async () => {
    expect((await GET(request("GET", "pb_not-a-real-token"), noParams)).status).toBe(401);
    const response = await GET(request("GET", engineerToken), noParams);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "forbidden" } });
  });
});

describe("POST /api/v1/users", () => {
  it("201 with the new person; 409 when the email exists", async () => {
    const email = uniqueEmail("new");
    const created = await POST(request("POST", adminToken, { email, password: PASSWORD, role: "copywriter" }), noParams);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ email, role: "copywriter" });
    const duplicate = await POST(request("POST", adminToken, { email, password: PASSWORD, role: "engineer" }), noParams);
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toMatchObject({ error: { code: "conflict" } });
  });

  it("400 for a short password, a bad role or malformed JSON", async () => {
    const short = await POST(request("POST", adminToken, { email: uniqueEmail("s"), password: "short", role: "engineer" }), noParams);
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({ error: { code: "bad_request", message: "Password must be at least 10 characters." } });
    expect((await POST(request("POST", adminToken, { email: uniqueEmail("r"), password: PASSWORD, role: "root" }), noParams)).status).toBe(400);
    expect((await POST(request("POST", adminToken, "{not json"), noParams)).status).toBe(400);
  });

  it("403 for a non-admin, who creates nothing", async () => {
    const email = uniqueEmail("sneaky");
    const response = await POST(request("POST", engineerToken, { email, password: PASSWORD, role: "admin" }), noParams);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "forbidden" } });
    const { users } = (await (await GET(request("GET", adminToken), noParams)).json()) as { users: { email: string }[] };
    expect(users.some((user) => user.email === email)).toBe(false);
  });
});

describe("PATCH /api/v1/users/:id", () => {
  it("200 with the updated person; 400 for a bad role; 404 for an unknown id", async () => {
    const person = await createPerson({ email: uniqueEmail("p"), password: PASSWORD, role: "engineer" });
    const response = await PATCH(request("PATCH", adminToken, { role: "copywriter" }), userParams(person.id));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: person.id, role: "copywriter" });
    expect((await PATCH(request("PATCH", adminToken, { role: "owner" }), userParams(person.id))).status).toBe(400);
    expect((await PATCH(request("PATCH", adminToken, {}), userParams(person.id))).status).toBe(400);
    expect((await PATCH(request("PATCH", adminToken, { role: "engineer" }), userParams("no-such-user"))).status).toBe(404);
  });

  it("403 forbidden for a non-admin, whatever the body", async () => {
    for (const body of [{ role: "admin" }, { role: "owner" }]) {
      const response = await PATCH(request("PATCH", engineerToken, body), userParams(admin.id));
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: "forbidden" } });
    }
  });
});
