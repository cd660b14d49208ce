// Saving an environment's repository URL and credential against real Postgres: the URL's host is checked
// (outside local development mode), the credential is stored sealed and shown as its kind only, and the
// worker's select opens it again.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createPerson } from "@/lib/auth/people";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { AppError, httpStatusFor } from "@/lib/errors";
import { sharedEnv } from "@/lib/env";
import { openRepoCredential } from "./repo-credential";

const TOKEN = `pb-int-repo-token-${randomBytes(6).toString("hex")}`;
let ownerId: string;

beforeAll(async () => {
  // This file runs outside local development mode (integration tests otherwise allow local repositories);
  // every host below is an IP literal or localhost, so no test waits on real DNS.
  vi.stubEnv("PATCHBAY_ALLOW_LOCAL_REPOS", "0");
  expect(sharedEnv().PATCHBAY_ALLOW_LOCAL_REPOS).toBe(false);
  const owner = await createPerson({ email: `repo-access-${Date.now()}@example.com`, password: "a-good-long-password", role: "engineer" });
  ownerId = owner.id;
});

afterAll(() => {
  vi.unstubAllEnvs();
});

async function refused(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect(httpStatusFor((error as AppError).code)).toBe(400);
  return error as AppError;
}

const create = (repoUrl: string, extra: Record<string, unknown> = {}) => createEnvironment(ownerId, { name: "repo access", repoUrl, ...extra });

describe("repository URL check when an environment is saved", () => {
  it.each([
    ["https://169.254.169.254/latest/meta-data", /link-local/],
    ["https://10.20.30.40/o/r.git", /private \(RFC 1918\)/],
    ["https://100.64.1.1/o/r.git", /carrier-grade NAT/],
    ["https://[fd00::1]/o/r.git", /unique-local/],
    ["https://localhost/o/r.git", /loopback/],
    ["git@127.0.0.1:o/r.git", /loopback/],
    ["http://192.0.2.10/o/r.git", /unencrypted/],
    ["file:///etc", /PATCHBAY_ALLOW_LOCAL_REPOS/],
  ])("refuses %s with a 400 naming why", async (repoUrl, message) => {
    expect((await refused(create(repoUrl))).userMessage).toMatch(message);
  });

  it("accepts a public (here: documentation-range) address, and refuses a PATCH to a private one", async () => {
    const environment = await create("https://192.0.2.10/o/r.git");
    expect(environment.repoUrl).toBe("https://192.0.2.10/o/r.git");
    expect((await refused(updateEnvironment(ownerId, environment.id, { repoUrl: "https://192.168.1.1/o/r.git" }))).userMessage).toMatch(/private/);
    const stored = await db().environment.findUnique({ where: { id: environment.id }, select: { repoUrl: true } });
    expect(stored?.repoUrl).toBe("https://192.0.2.10/o/r.git");
  });
});

describe("repository credential", () => {
  it("is stored sealed, shown as its kind and user name only, and opened by the worker's key", async () => {
    const environment = await create("https://192.0.2.10/o/r.git", { repoCredential: { kind: "token", username: "ci-bot", token: TOKEN } });
    expect(environment.repoCredential).toEqual({ kind: "token", username: "ci-bot" });
    expect(JSON.stringify(environment)).not.toContain(TOKEN);
    const row = await db().environment.findUnique({ where: { id: environment.id }, select: { repoCredential: true } });
    expect(JSON.stringify(row?.repoCredential)).not.toContain(TOKEN);
    expect(openRepoCredential(row?.repoCredential, sharedEnv().PATCHBAY_SECRETS_KEY)).toEqual({ kind: "token", username: "ci-bot", token: TOKEN });
  });

  it("is removed by PATCH null and replaced by PATCH with a new one", async () => {
    const environment = await create("https://192.0.2.10/o/r.git", { repoCredential: { kind: "token", token: TOKEN } });
    expect(environment.repoCredential).toEqual({ kind: "token" });
    expect((await updateEnvironment(ownerId, environment.id, { repoCredential: null })).repoCredential).toBeNull();
    const row = await db().environment.findUnique({ where: { id: environment.id }, select: { repoCredential: true } });
    expect(row?.repoCredential).toBeNull();
    const again = await updateEnvironment(ownerId, environment.id, { repoCredential: { kind: "token", username: "oauth2", token: TOKEN } });
    expect(again.repoCredential).toEqual({ kind: "token", username: "oauth2" });
  });

  it("must fit the URL: a token for https, a deploy key for ssh", async () => {
    expect((await refused(create("git@192.0.2.10:o/r.git", { repoCredential: { kind: "token", token: TOKEN } }))).userMessage).toMatch(
      /https:\/\/ repository URLs only/,
    );
    const environment = await create("https://192.0.2.10/o/r.git", { repoCredential: { kind: "token", token: TOKEN } });
    expect((await refused(updateEnvironment(ownerId, environment.id, { repoUrl: "git@192.0.2.10:o/r.git" }))).userMessage).toMatch(
      /https:\/\/ repository URLs only/,
    );
  });

  it("stays with its host: a new host needs the credential again, a new path on the same host keeps it", async () => {
    const environment = await create("https://192.0.2.10/o/r.git", { repoCredential: { kind: "token", token: TOKEN } });
    expect((await refused(updateEnvironment(ownerId, environment.id, { repoUrl: "https://198.51.100.7/o/r.git" }))).userMessage).toMatch(
      /credential for another host/,
    );
    expect((await updateEnvironment(ownerId, environment.id, { repoUrl: "https://192.0.2.10/o/other.git" })).repoCredential).toEqual({ kind: "token" });
    const moved = await updateEnvironment(ownerId, environment.id, {
      repoUrl: "https://198.51.100.7/o/r.git",
      repoCredential: { kind: "token", token: `${TOKEN}-new` },
    });
    expect(moved.repoUrl).toBe("https://198.51.100.7/o/r.git");
    const dropped = await updateEnvironment(ownerId, environment.id, { repoUrl: "https://203.0.113.5/o/r.git", repoCredential: null });
    expect(dropped.repoCredential).toBeNull();
  });

  it("refuses a malformed credential at the boundary", async () => {
    const error = await create("https://192.0.2.10/o/r.git", { repoCredential: { kind: "token", token: "bad token with spaces" } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ZodError" });
  });
});
