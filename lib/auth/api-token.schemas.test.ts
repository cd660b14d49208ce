import { describe, expect, it } from "vitest";
import { apiTokenStatus, DEFAULT_EXPIRES_IN_DAYS, parseCreateApiToken, parseExpiresInDays } from "./api-token.schemas";

const now = new Date("2026-12-02T06:00:00.000Z");
const daysLater = (days: number) => new Date(now.getTime() + days * 24 * 60 * 60 * 1000);

describe("parseCreateApiToken", () => {
  it("defaults to 90 days and trims the name", () => {
    expect(DEFAULT_EXPIRES_IN_DAYS).toBe(90);
    expect(parseCreateApiToken({ name: "  ci  " }, now)).toEqual({ name: "ci", expiresAt: daysLater(90), isDefault: true });
  });

  it("takes a number of days, a date, or null for no expiry", () => {
    expect(parseCreateApiToken({ name: "ci", expiresInDays: 7 }, now)).toEqual({ name: "ci", expiresAt: daysLater(7), isDefault: false });
    expect(parseCreateApiToken({ name: "ci", expiresAt: "2027-01-01T00:00:00Z" }, now).expiresAt).toEqual(new Date("2027-01-01T00:00:00Z"));
    expect(parseCreateApiToken({ name: "ci", expiresAt: "2027-01-01T02:00:00+02:00" }, now).expiresAt).toEqual(new Date("2027-01-01T00:00:00Z"));
    expect(parseCreateApiToken({ name: "ci", expiresInDays: null }, now).expiresAt).toBeNull();
    expect(parseCreateApiToken({ name: "ci", expiresAt: null }, now).expiresAt).toBeNull();
  });

  it.each([
    [{}, "Name is required."],
    [{ name: "   " }, "Name is required."],
    [{ name: "x".repeat(101) }, "Name is at most 100 characters."],
    [{ name: "ci", expiresInDays: 0 }, "expiresInDays must be at least 1."],
    [{ name: "ci", expiresInDays: 1.5 }, "whole number"],
    [{ name: "ci", expiresInDays: "30" }, "whole number"],
    [{ name: "ci", expiresInDays: 3651 }, "at most 3650"],
    [{ name: "ci", expiresAt: "next week" }, "ISO 8601"],
    [{ name: "ci", expiresAt: "2026-12-01T00:00:00Z" }, "expiresAt must be in the future."],
    [{ name: "ci", expiresAt: "2040-01-01T00:00:00Z" }, "at most 3650 days away"],
    [{ name: "ci", expiresInDays: 7, expiresAt: "2027-01-01T00:00:00Z" }, "not both"],
    [{ name: "ci", scopes: ["all"] }, "scopes"],
  ])("refuses %j", (input, message) => {
    expect(() => parseCreateApiToken(input, now)).toThrow(message);
  });
});

describe("parseExpiresInDays", () => {
  it("reads whole days or never", () => {
    expect(parseExpiresInDays("30")).toBe(30);
    expect(parseExpiresInDays(" 365 ")).toBe(365);
    expect(parseExpiresInDays("never")).toBeNull();
  });

  it.each(["0", "-1", "1.5", "3651", "", "forever", "1e3"])("refuses %j", (text) => {
    expect(() => parseExpiresInDays(text)).toThrow(/whole number of days from 1 to 3650, or "never"/);
  });
});

describe("apiTokenStatus", () => {
  it("revoked wins over expired; no expiry is active", () => {
    expect(apiTokenStatus({ expiresAt: null, revokedAt: null }, now)).toBe("active");
    expect(apiTokenStatus({ expiresAt: daysLater(1), revokedAt: null }, now)).toBe("active");
    expect(apiTokenStatus({ expiresAt: now, revokedAt: null }, now)).toBe("expired");
    expect(apiTokenStatus({ expiresAt: daysLater(-1), revokedAt: now }, now)).toBe("revoked");
  });
});
