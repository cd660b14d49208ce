// Per-person limits against real Postgres: attempts at once and per hour (the defaults: 8 and 100), each
// refusal naming its limit and when it frees up; the model allowlist.
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { createUser } from "@/test/support/test-worker";
import { assertWithinUserLimits, createWithinUserLimits } from "./user-limits";

/** One task of `count` attempts in `status`, created `minutesAgo` minutes ago. */
async function attempts(ownerId: string, count: number, status: "running" | "completed", minutesAgo = 0): Promise<void> {
  const environment = await db().environment.create({
    data: { ownerId, name: "limits", repoUrl: "https://example.com/acme/web.git", defaultBranch: "main" },
    select: { id: true },
  });
  const createdAt = new Date(Date.now() - minutesAgo * 60_000);
  await db().task.create({
    data: {
      ownerId,
      environmentId: environment.id,
      prompt: "fixture",
      branch: "main",
      title: "fixture",
      turns: { create: { index: 0, prompt: "fixture", attempts: { create: Array.from({ length: count }, (_, index) => ({ index, status, createdAt })) } } },
    },
  });
}

describe("per-person limits", () => {
  it("refuses past the attempts running at once, counting every attempt a submission asks for", async () => {
    const { id } = await createUser();
    await attempts(id, 7, "running");
    await expect(assertWithinUserLimits(id, 1)).resolves.toBeUndefined();
    await expect(assertWithinUserLimits(id, 2)).rejects.toThrow(
      "You have 7 attempt(s) queued or running, and the limit is 8 at once (PATCHBAY_MAX_RUNNING_PER_USER); this needs 2. Room frees up as they finish.",
    );
    // Someone else is not affected.
    await expect(assertWithinUserLimits((await createUser()).id, 4)).resolves.toBeUndefined();
  });

  it("refuses past the attempts per hour and says when the oldest of them is an hour old", async () => {
    const { id } = await createUser();
    await attempts(id, 40, "completed", 50);
    await attempts(id, 60, "completed", 10);
    await attempts(id, 5, "completed", 70); // older than an hour: not counted
    const refusal = await assertWithinUserLimits(id, 1).catch((error: Error) => error);
    expect(refusal).toMatchObject({ code: "rate_limited" });
    const freesAt = new Date(Date.now() + 10 * 60_000).toISOString().slice(11, 16);
    const oneMinuteLater = new Date(Date.now() + 11 * 60_000).toISOString().slice(11, 16);
    expect((refusal as Error).message).toMatch(
      /^You started 100 attempt\(s\) in the last hour, and the limit is 100 per hour \(PATCHBAY_MAX_ATTEMPTS_PER_HOUR\)\. Try again after (\d\d:\d\d) UTC\.$/,
    );
    expect([freesAt, oneMinuteLater]).toContain(/after (\d\d:\d\d)/.exec((refusal as Error).message)?.[1]);
  });
});

describe("per-person limits under concurrent submissions", () => {
  it("lets exactly as many through as the limit leaves room for, however many arrive at once", async () => {
    const { id } = await createUser();
    await attempts(id, 5, "running"); // room for 3 more at once
    const environment = await db().environment.create({
      data: { ownerId: id, name: "race", repoUrl: "https://example.com/acme/web.git", defaultBranch: "main" },
      select: { id: true },
    });
    const submit = () =>
      createWithinUserLimits(id, 1, (tx) =>
        tx.task.create({
          data: {
            ownerId: id,
            environmentId: environment.id,
            prompt: "race",
            branch: "main",
            title: "race",
            turns: { create: { index: 0, prompt: "race", attempts: { create: [{ index: 0 }] } } },
          },
        }),
      );
    const results = await Promise.allSettled(Array.from({ length: 10 }, submit));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(3);
    for (const result of results) {
      if (result.status === "rejected") expect(result.reason).toMatchObject({ code: "rate_limited" });
    }
    expect(await db().attempt.count({ where: { turn: { task: { ownerId: id } }, status: "queued" } })).toBe(3);
  });
});

describe("model allowlist", () => {
  it("refuses an environment model the installation does not list, and allows any when the list is empty", async () => {
    vi.stubEnv("PATCHBAY_ALLOWED_MODELS", "gpt-a, gpt-b");
    vi.resetModules();
    const limited = await import("./user-limits");
    expect(() => limited.assertModelAllowed("gpt-b")).not.toThrow();
    expect(() => limited.assertModelAllowed(null)).not.toThrow();
    expect(() => limited.assertModelAllowed("gpt-c")).toThrow(
      'The model "gpt-c" is not allowed on this installation. Allowed: gpt-a, gpt-b (PATCHBAY_ALLOWED_MODELS).',
    );
    vi.unstubAllEnvs();
    vi.resetModules();
    const open = await import("./user-limits");
    expect(() => open.assertModelAllowed("gpt-c")).not.toThrow();
  });
});
