import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openSecret, parseStoredSecrets, sealSecret, secretsKey } from "./secret-box";

const key = randomBytes(32);

describe("secret box", () => {
  it("round-trips a value and stores no plaintext", () => {
    const sealed = sealSecret(key, "NPM_TOKEN", "npm_abcdefghijklmnop");
    expect(JSON.stringify(sealed)).not.toContain("npm_abcdefghijklmnop");
    expect(openSecret(key, "NPM_TOKEN", sealed)).toBe("npm_abcdefghijklmnop");
    // A fresh IV each time: the same value never seals to the same text.
    expect(sealSecret(key, "NPM_TOKEN", "npm_abcdefghijklmnop").data).not.toBe(sealed.data);
  });

  it("refuses another key, another name or tampered data with an error a person can act on", () => {
    const sealed = sealSecret(key, "NPM_TOKEN", "value-123456");
    expect(() => openSecret(randomBytes(32), "NPM_TOKEN", sealed)).toThrow(/PATCHBAY_SECRETS_KEY/);
    expect(() => openSecret(key, "OTHER", sealed)).toThrow(/cannot be decrypted/);
    const data = Buffer.from(sealed.data, "base64");
    data[0] = (data[0] ?? 0) ^ 1;
    expect(() => openSecret(key, "NPM_TOKEN", { ...sealed, data: data.toString("base64") })).toThrow(/cannot be decrypted/);
  });

  it("needs a 32-byte key", () => {
    expect(() => secretsKey(undefined)).toThrow(/PATCHBAY_SECRETS_KEY is not set/);
    expect(() => secretsKey("c2hvcnQ")).toThrow(/32 random bytes/);
    expect(secretsKey(key.toString("base64url"))).toEqual(key);
    expect(secretsKey(key.toString("base64"))).toEqual(key);
  });

  it("reads malformed stored JSON as no secrets", () => {
    expect(parseStoredSecrets(null)).toEqual({});
    expect(parseStoredSecrets({ A: "plain" })).toEqual({});
  });
});
