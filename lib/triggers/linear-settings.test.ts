import { describe, expect, it, vi } from "vitest";
import { linearSettingsInputSchema, linearView, openLinearSettings, sealLinearSettings } from "./linear-settings";

const KEY = Buffer.alloc(32, 7).toString("base64url");
const OTHER_KEY = Buffer.alloc(32, 9).toString("base64url");
const settings = {
  signingSecret: "lin_wh_signing-secret-0123",
  apiKey: "lin_api_key-0123456789",
  agent: { userId: "5b9e1f3a-2c4d-4e6f-8a0b-1c2d3e4f5a6b", name: "Patchbay", displayName: "patchbay" },
};

describe("Linear settings", () => {
  it("reads the form's fields trimmed, blank meaning keep what is stored, and nothing else", () => {
    expect(linearSettingsInputSchema.parse({ signingSecret: "  lin_wh_x \n", apiKey: "" })).toEqual({ signingSecret: "lin_wh_x", apiKey: "" });
    expect(linearSettingsInputSchema.parse({})).toEqual({});
    expect(linearSettingsInputSchema.safeParse({ signingSecret: "x", agent: { userId: "someone" } }).success).toBe(false);
    expect(linearSettingsInputSchema.safeParse({ apiKey: "x".repeat(501) }).success).toBe(false);
  });

  it("keeps the secret and the key sealed, each under its own name, and opens them with the same key only", () => {
    const stored = sealLinearSettings(KEY, settings);
    expect(JSON.stringify(stored)).not.toContain(settings.signingSecret);
    expect(JSON.stringify(stored)).not.toContain(settings.apiKey);
    expect(openLinearSettings(stored, KEY)).toEqual(settings);
    expect(() => openLinearSettings(stored, OTHER_KEY)).toThrow(/cannot be decrypted/);
    // The key's sealed value put in the secret's place does not open as the secret.
    expect(() => openLinearSettings({ ...stored, signingSecret: stored.apiKey }, KEY)).toThrow(/linearSigningSecret/);
  });

  it("shows the webhook's address and the Linear user, never the secret or the key", () => {
    // The address is built from the shared configuration, which wants these to be set.
    vi.stubEnv("DATABASE_URL", "postgresql://unused@127.0.0.1/unused");
    vi.stubEnv("REDIS_URL", "redis://127.0.0.1:6379");
    const stored = sealLinearSettings(KEY, settings);
    const view = linearView("env123", stored);
    expect(view).toEqual({ url: expect.stringMatching(/\/api\/v1\/webhooks\/linear\/env123$/), agent: settings.agent });
    expect(JSON.stringify(view)).not.toMatch(/lin_wh_|lin_api_|"data"/);
  });

  it("counts anything else stored as not set up", () => {
    for (const stored of [null, {}, { signingSecret: "plain", apiKey: "plain", agent: settings.agent }]) {
      expect(linearView("env123", stored)).toBeNull();
      expect(openLinearSettings(stored, KEY)).toBeNull();
    }
  });
});
