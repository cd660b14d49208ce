// Password sign-in against real Postgres and Redis: constant answers for unknown accounts, and failed
// attempts rate-limited per account and per address.
import { afterAll, describe, expect, it } from "vitest";
import { createRedis } from "@/lib/queue/connection";
import { clearFailedLogins, isLoginBlocked, MAX_FAILED_LOGINS, MAX_FAILED_LOGINS_PER_IP, recordFailedLogin } from "./login-rate-limit";
import { ensureAdmin, verifyCredentials } from "./users";

const redis = createRedis(process.env.REDIS_URL ?? "", "client");
afterAll(() => redis.disconnect());

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
});

describe("login rate limit", () => {
  it("blocks an account after MAX_FAILED_LOGINS failures and unblocks it when cleared", async () => {
    const email = `victim-${Date.now()}@example.com`;
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) await recordFailedLogin(redis, email, `10.0.0.${i}`);
    expect(await isLoginBlocked(redis, email, "10.0.1.1")).toBe(false);
    await recordFailedLogin(redis, email.toUpperCase(), "10.0.0.99");
    expect(await isLoginBlocked(redis, email, "10.0.1.1")).toBe(true);
    expect(await redis.ttl(`patchbay:login-fail:email:${email}`)).toBeGreaterThan(0);
    await clearFailedLogins(redis, email);
    expect(await isLoginBlocked(redis, email, "10.0.1.1")).toBe(false);
  });

  it("blocks one address that tries many accounts", async () => {
    const address = `192.0.2.${Date.now() % 200}`;
    for (let i = 0; i < MAX_FAILED_LOGINS_PER_IP; i++) await recordFailedLogin(redis, `spray-${i}-${Date.now()}@example.com`, address);
    expect(await isLoginBlocked(redis, `fresh-${Date.now()}@example.com`, address)).toBe(true);
    expect(await isLoginBlocked(redis, `fresh-${Date.now()}@example.com`, "198.51.100.7")).toBe(false);
  });
});
