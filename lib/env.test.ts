import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { envNamesFor, loadDotenvInto } from "./env";

const dir = mkdtempSync(path.join(tmpdir(), "patchbay-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, ".env");
writeFileSync(
  file,
  [
    "DATABASE_URL=postgresql://x/y",
    "OPENAI_API_KEY=sk-from-dotenv",
    "NEXTAUTH_SECRET=nextauth-from-dotenv",
    "PATCHBAY_ADMIN_PASSWORD=admin-from-dotenv",
    "GITHUB_SECRET=gh",
  ].join("\n"),
);

describe("each process takes only its own variables from .env", () => {
  it("the web never holds the model key", () => {
    const target: Record<string, string | undefined> = {};
    loadDotenvInto(target, file, envNamesFor("web"));
    expect(target).toMatchObject({ DATABASE_URL: "postgresql://x/y", NEXTAUTH_SECRET: "nextauth-from-dotenv" });
    expect(target.OPENAI_API_KEY).toBeUndefined();
  });

  it("the worker never holds the session secret, the admin password or the OAuth secret", () => {
    const target: Record<string, string | undefined> = {};
    loadDotenvInto(target, file, envNamesFor("worker"));
    expect(target).toMatchObject({ DATABASE_URL: "postgresql://x/y", OPENAI_API_KEY: "sk-from-dotenv" });
    expect(target.NEXTAUTH_SECRET).toBeUndefined();
    expect(target.PATCHBAY_ADMIN_PASSWORD).toBeUndefined();
    expect(target.GITHUB_SECRET).toBeUndefined();
  });

  it("lets the real environment win over .env, and a missing file is no error", () => {
    const target: Record<string, string | undefined> = { DATABASE_URL: "postgresql://real/db" };
    loadDotenvInto(target, file, envNamesFor("web"));
    expect(target.DATABASE_URL).toBe("postgresql://real/db");
    expect(() => loadDotenvInto({}, path.join(dir, "missing.env"), envNamesFor("web"))).not.toThrow();
  });
});
