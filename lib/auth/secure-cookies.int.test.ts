// Behind a TLS proxy (NEXTAUTH_URL is https) the session cookie is Secure, even though the hop from the
// proxy to Patchbay is plain HTTP.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthClient } from "@/test/support/auth-client";
import { ensureAdmin } from "./users";

const PASSWORD = "a-good-long-password";

beforeAll(() => {
  vi.stubEnv("NEXTAUTH_URL", "https://patchbay.example.com");
  vi.stubEnv("PATCHBAY_PEER_ADDRESS_HEADER", "x-test-peer-address");
});
afterAll(() => vi.unstubAllEnvs());

describe("session cookies", () => {
  it("are Secure (and __Secure-/__Host- prefixed) when the public URL is https", async () => {
    const email = `secure-${Date.now()}@example.com`;
    await ensureAdmin(email, PASSWORD);
    const client = new AuthClient({ "x-test-peer-address": "198.51.99.1" });
    const csrf = await client.call("GET", "/api/auth/csrf");
    expect(csrf.headers.getSetCookie().find((cookie) => cookie.startsWith("__Host-next-auth.csrf-token="))).toMatch(/;\s*Secure/i);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await client.call("POST", "/api/auth/callback/credentials", { csrfToken, email, password: PASSWORD, json: "true" });
    const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith("__Secure-next-auth.session-token="));
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
  });
});
