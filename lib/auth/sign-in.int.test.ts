// Password sign-in against real Postgres and Redis, through the real next-auth route handler: constant
// answers for unknown accounts, attempts counted before the password check, exponential backoff per
// account (never a lock past its delay), a per-address limit that a forged X-Forwarded-For cannot dodge.
import { randomBytes, scryptSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/queue/connection";
import { APP_URL, AuthClient } from "@/test/support/auth-client";
import { beginLoginAttempt, FREE_ATTEMPTS, MAX_FAILED_LOGINS_PER_IP } from "./login-rate-limit";
import { ensureAdmin, verifyCredentials } from "./users";

const PEER_HEADER = "x-test-peer-address";
const PASSWORD = "a-good-long-password";
const redis = createRedis(process.env.REDIS_URL ?? "", "client");
let counter = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now()}-${counter++}@example.com`;
let addressCounter = 1;
// A fresh connection address per test, so the per-address window of one test does not reach the next.
const freshAddress = () => `198.51.${100 + Math.floor(addressCounter / 250)}.${addressCounter++ % 250}`;

beforeAll(() => {
  vi.stubEnv("NEXTAUTH_URL", APP_URL);
  // What scripts/web/server.ts does: the connection's address in a header only this process knows.
  vi.stubEnv("PATCHBAY_PEER_ADDRESS_HEADER", PEER_HEADER);
});
afterAll(() => {
  vi.unstubAllEnvs();
  redis.disconnect();
});

describe("sign-out", () => {
  it("revokes the session on the server: a copy of the cookie taken before signing out no longer works", async () => {
    const email = uniqueEmail("signout");
    await ensureAdmin(email, PASSWORD);
    const client = new AuthClient({ [PEER_HEADER]: freshAddress() });
    expect((await client.signInWithPassword(email, PASSWORD)).error).toBeNull();
    expect((await client.session()).user?.email).toBe(email);
    const copied = new Map(client.cookies);

    const csrfToken = await client.csrfToken();
    await client.call("POST", "/api/auth/signout", { csrfToken, callbackUrl: `${APP_URL}/login`, json: "true" });
    const thief = new AuthClient({ [PEER_HEADER]: freshAddress() });
    for (const [name, value] of copied) thief.cookies.set(name, value);
    expect((await thief.session()).user).toBeUndefined();

    // Another session of the same account is not affected.
    const other = new AuthClient({ [PEER_HEADER]: freshAddress() });
    expect((await other.signInWithPassword(email, PASSWORD)).error).toBeNull();
    expect((await other.session()).user?.email).toBe(email);
  });
});

describe("verifyCredentials", () => {
  it("accepts the right password and refuses a wrong one or an unknown account alike", async () => {
    const email = `admin-${Date.now()}@example.com`;
    expect(await ensureAdmin(email, "a-good-long-password")).toEqual({ created: true });
    expect(await ensureAdmin(email, "another-password-123")).toEqual({ created: false });

    expect(await verifyCredentials(email.toUpperCase(), "a-good-long-password")).toMatchObject({ email, role: "admin" });
    expect(await verifyCredentials(email, "another-password-123")).toBeNull();
    expect(await verifyCredentials(`nobody-${Date.now()}@example.com`, "a-good-long-password")).toBeNull();
  });

  it("refuses a too-short admin password with a message naming the variable", async () => {
    await expect(ensureAdmin(`short-${Date.now()}@example.com`, "short")).rejects.toThrow("PATCHBAY_ADMIN_PASSWORD must be at least 10 characters");
  });

  it("replaces a hash made with weaker parameters once the password proves right", async () => {
    const email = uniqueEmail("old-hash");
    await ensureAdmin(email, PASSWORD);
    // A hash as stored before the parameters were raised (N = 2^15).
    const salt = randomBytes(16);
    const key = scryptSync(PASSWORD, salt, 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const weak = ["scrypt", 2 ** 15, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
    await db().user.update({ where: { email }, data: { passwordHash: weak } });
    // A wrong password leaves it alone.
    expect(await verifyCredentials(email, "wrong-password-00")).toBeNull();
    expect((await db().user.findUniqueOrThrow({ where: { email } })).passwordHash).toBe(weak);
    expect(await verifyCredentials(email, PASSWORD)).toMatchObject({ email });
    const rehashed = (await db().user.findUniqueOrThrow({ where: { email } })).passwordHash ?? "";
    expect(rehashed.split("$").slice(0, 4)).toEqual(["scrypt", "131072", "8", "1"]);
    expect(await verifyCredentials(email, PASSWORD)).toMatchObject({ email });
  });
});

describe("sign-in throttling through the route handler", () => {
  it("a forged X-Forwarded-For neither resets the account's backoff nor the address's count", async () => {
    const email = uniqueEmail("victim");
    await ensureAdmin(email, PASSWORD);
    const peer = freshAddress();
    const client = new AuthClient({ [PEER_HEADER]: peer });
    for (let attempt = 1; attempt <= FREE_ATTEMPTS; attempt++) {
      // A new forged address every time: the count must go on regardless.
      const result = await client.signInWithPassword(email, `wrong-password-${attempt}`, { "x-forwarded-for": `203.0.113.${attempt}` });
      expect(result.error).toBe("CredentialsSignin");
    }
    // Within the backoff even the right password is refused, with when to retry.
    const refused = await client.signInWithPassword(email, PASSWORD, { "x-forwarded-for": "192.0.2.250" });
    expect(refused.error).toMatch(/^Too many failed sign-in attempts for this account\. Try again in \d+ seconds?\.$/);
    expect(await redis.exists(`patchbay:login:address:203.0.113.1`)).toBe(0);
    expect(Number(await redis.get(`patchbay:login:address:${peer}`))).toBe(FREE_ATTEMPTS);
  });

  it("backs off instead of locking: after the delay the right password works, and success resets the count", async () => {
    const email = uniqueEmail("backoff");
    await ensureAdmin(email, PASSWORD);
    const client = new AuthClient({ [PEER_HEADER]: freshAddress() });
    for (let attempt = 1; attempt <= FREE_ATTEMPTS; attempt++)
      expect((await client.signInWithPassword(email, `wrong-${attempt}-xxxxxx`)).error).toBe("CredentialsSignin");
    expect((await client.signInWithPassword(email, PASSWORD)).error).toMatch(/Try again in [12] seconds?\./);
    // 2 seconds after the fifth failure.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await client.signInWithPassword(email, PASSWORD)).error).toBeNull();
    expect((await client.session()).user?.email).toBe(email);
    // Reset: the next failures start from zero again, with no delay.
    const other = new AuthClient({ [PEER_HEADER]: freshAddress() });
    for (let attempt = 1; attempt < FREE_ATTEMPTS; attempt++)
      expect((await other.signInWithPassword(email, `wrong-again-${attempt}`)).error).toBe("CredentialsSignin");
    expect((await other.signInWithPassword(email, PASSWORD)).error).toBeNull();
  });

  it("doubles the delay with each failure past the free attempts, up to 15 minutes", async () => {
    const email = uniqueEmail("doubling");
    const address = freshAddress();
    const key = `patchbay:login:account:${email}`;
    for (let attempt = 1; attempt <= FREE_ATTEMPTS; attempt++) expect(await beginLoginAttempt(redis, email, address)).toEqual({ allowed: true });
    // Pretend the delays have passed, and count on.
    const delays: number[] = [];
    for (let attempt = FREE_ATTEMPTS + 1; attempt <= FREE_ATTEMPTS + 12; attempt++) {
      await redis.hset(key, "until", 0);
      expect(await beginLoginAttempt(redis, email, `${address}-${attempt}`)).toEqual({ allowed: true });
      const blocked = await beginLoginAttempt(redis, email, address);
      delays.push(blocked.allowed ? 0 : blocked.retryAfterSeconds);
    }
    expect(delays.slice(0, 5)).toEqual([4, 8, 16, 32, 64]);
    expect(delays.at(-1)).toBe(15 * 60);
  });

  it("limits one address trying many accounts, whatever X-Forwarded-For it sends", async () => {
    const peer = freshAddress();
    const client = new AuthClient({ [PEER_HEADER]: peer });
    for (let attempt = 0; attempt < MAX_FAILED_LOGINS_PER_IP; attempt++) {
      await client.signInWithPassword(uniqueEmail("spray"), "some-password-1", { "x-forwarded-for": `203.0.113.${attempt}` });
    }
    const refused = await client.signInWithPassword(uniqueEmail("fresh"), "some-password-1", { "x-forwarded-for": "192.0.2.77" });
    expect(refused.error).toMatch(/^Too many failed sign-in attempts from your network\. Try again in \d+ minutes\.$/);
    // Another connection address is unaffected.
    expect((await new AuthClient({ [PEER_HEADER]: freshAddress() }).signInWithPassword(uniqueEmail("fresh"), "some-password-1")).error).toBe(
      "CredentialsSignin",
    );
  });

  it("counts parallel guesses before checking them: no more than the free attempts get through at once", async () => {
    const email = uniqueEmail("parallel");
    await ensureAdmin(email, PASSWORD);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) => new AuthClient({ [PEER_HEADER]: freshAddress() }).signInWithPassword(email, `parallel-wrong-${index}`)),
    );
    expect(results.filter((result) => result.error === "CredentialsSignin")).toHaveLength(FREE_ATTEMPTS);
    expect(results.filter((result) => result.error?.startsWith("Too many failed sign-in attempts for this account"))).toHaveLength(12 - FREE_ATTEMPTS);
  });
});
