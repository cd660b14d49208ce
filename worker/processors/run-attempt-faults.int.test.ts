// Everything that can go wrong around an attempt, end to end through the real queue, worker, Docker,
// Postgres and the scripted model server. Each failure must end the task `failed` with a message a
// person can act on, within a bounded time, with no sandbox left behind; commands that hang or flood
// must not fail the run; hostile input is data, never code; cancel stops a running sandbox.
import { existsSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { AppError } from "@/lib/errors";
import { MAX_EVENT_CHUNK_BYTES, type StoredEvent } from "@/lib/events";
import { classifyRepoUrl } from "@/lib/git-refs";
import { createRedis } from "@/lib/queue/connection";
import { attemptsQueue } from "@/lib/queue/producer";
import { cancelTask } from "@/lib/tasks/cancel-task";
import { createTask } from "@/lib/tasks/create-task";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { startModelServer, type ModelScript } from "@/scripts/model-server/server";
import { listenForControl } from "@/worker/control-listener";
import type { AttemptProcessorDeps } from "@/worker/processors/attempt-context";
import { createDocker, createDockerDriver } from "@/worker/sandbox/docker-driver";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { waitForSandboxRemoved } from "@/test/support/sandbox";
import { containersOf, createUser, startTestWorker, TEST_SANDBOX_IMAGE, waitForFinishedAttempt, type TestWorker } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";

type ModelServer = Awaited<ReturnType<typeof startModelServer>>;
type Attempt = Awaited<ReturnType<typeof waitForFinishedAttempt>>;

const PROMPT_MARKER = "/tmp/pb-pwned-prompt";
const BRANCH_MARKER = "/tmp/pb-pwned-branch";
const SHELL_BRANCH = "feat/$(touch${IFS}/tmp/pb-pwned-branch)";

let model: ModelServer;
let repo: FixtureRepo;
let userId: string;
let environmentId: string;
let worker: { key: string; handle: TestWorker } | null = null;
const subscribers: Redis[] = [];

/** One worker at a time (they share the queue); a different configuration replaces the running one. */
async function useWorker(key: string, modelUrl: string | null, overrides: Partial<AttemptProcessorDeps> = {}): Promise<TestWorker> {
  if (worker?.key === key) return worker.handle;
  await stopWorker();
  worker = { key, handle: startTestWorker(modelUrl, overrides) };
  return worker.handle;
}

async function stopWorker(): Promise<void> {
  await worker?.handle.close();
  worker = null;
}

async function defaultWorker(): Promise<TestWorker> {
  return useWorker("default", model.url);
}

/** Submits a task and waits for its attempt to finish; elapsedMs is submit → finished. */
async function runTask(prompt: string, options: { branch?: string; environment?: string; timeoutMs?: number } = {}) {
  const started = Date.now();
  const task = await createTask(userId, { environmentId: options.environment ?? environmentId, prompt, ...(options.branch ? { branch: options.branch } : {}) });
  const attempt = await waitForFinishedAttempt(task.attemptId, options.timeoutMs ?? 60_000);
  const events = await listTaskEvents(task.id, 0n);
  return { task, attempt, events, elapsedMs: Date.now() - started };
}

/** Failed, with every key phrase in the message, the same message as the last error event, and no sandbox left. */
async function expectFailed(run: { attempt: Attempt; events: StoredEvent[]; elapsedMs: number }, phrases: (string | RegExp)[], withinMs: number) {
  expect(run.attempt.status).toBe("failed");
  const message = run.attempt.error ?? "";
  for (const phrase of phrases) expect(message).toMatch(phrase);
  expect(run.elapsedMs).toBeLessThan(withinMs);
  expect(run.events.filter((event) => event.type === "error").at(-1)).toMatchObject({ payload: { message } });
  expect(run.events.at(-1)).toMatchObject({ type: "status", payload: { status: "failed", message } });
  expect(message).not.toContain("sk-test-key-do-not-leak");
  await waitForSandboxRemoved(run.attempt.id);
}

function script(name: string, body: ModelScript): string {
  model.registerScript(name, body);
  return `[[script:${name}]]`;
}

/** The function_call_output items the model was sent in the last request of a script. */
function toolOutputsSeenByModel(scriptName: string): string[] {
  const last = model
    .requests()
    .filter((request) => request.script === scriptName)
    .at(-1)?.body as { input?: { type?: string; output?: string }[] } | undefined;
  return (last?.input ?? []).filter((item) => item.type === "function_call_output").map((item) => item.output ?? "");
}

function toolEnds(events: StoredEvent[]) {
  return events.flatMap((event) => (event.type === "tool.end" ? [event.payload] : []));
}

async function taskCount(): Promise<{ tasks: number; attempts: number; jobs: number }> {
  const counts = await attemptsQueue().getJobCounts("waiting", "active", "delayed", "prioritized", "completed", "failed");
  return {
    tasks: await db().task.count({ where: { ownerId: userId } }),
    attempts: await db().attempt.count({ where: { turn: { task: { ownerId: userId } } } }),
    jobs: Object.values(counts).reduce((sum, count) => sum + count, 0),
  };
}

beforeAll(async () => {
  rmSync(PROMPT_MARKER, { force: true });
  rmSync(BRANCH_MARKER, { force: true });
  rmSync("/tmp/pwned", { force: true });
  model = await startModelServer({ port: 0 });
  repo = createFixtureRepo();
  git(repo.dir, "branch", SHELL_BRANCH);
  userId = (await createUser()).id;
  environmentId = (await createEnvironment(userId, { name: "faults", repoUrl: repo.url, defaultBranch: "main" })).id;
});

afterAll(async () => {
  await stopWorker();
  for (const subscriber of subscribers) subscriber.disconnect();
  await model?.close();
});

describe("repository problems", () => {
  it("an unreachable repository fails with the URL and what to check", async () => {
    await defaultWorker();
    const unreachable = await createEnvironment(userId, { name: "gone", repoUrl: "file:///nonexistent/repo.git", defaultBranch: "main" });
    const run = await runTask("Fix the greeting", { environment: unreachable.id });
    await expectFailed(
      run,
      ["Could not fetch the repository file:///nonexistent/repo.git: '/nonexistent/repo.git' does not appear to be a git repository. Check the URL"],
      20_000,
    );
    expect(run.attempt.error).not.toContain("..");
    expect(run.attempt.baseCommit).toBeNull();
  });

  it("invalid repository URLs are rejected when the environment is created", async () => {
    const before = await db().environment.count({ where: { ownerId: userId } });
    const cases: [string, RegExp][] = [
      ["ftp://x", /Unsupported repository URL scheme "ftp:"/],
      ["https://user:pass@host/r.git", /Do not put credentials in the repository URL/],
      ["--upload-pack=touch${IFS}/tmp/pwned", /cannot start with '-'/],
      ["not a url", /spaces or control characters|not a repository URL/],
    ];
    for (const [repoUrl, message] of cases) {
      const error = await createEnvironment(userId, { name: "bad", repoUrl, defaultBranch: "main" }).catch((caught: unknown) => caught);
      expect(error, repoUrl).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("bad_request");
      expect((error as AppError).userMessage).toMatch(message);
    }
    expect(await db().environment.count({ where: { ownerId: userId } })).toBe(before);
    // file:// is only for self-hosters who opt in (the test env does: PATCHBAY_ALLOW_LOCAL_REPOS=1).
    expect(() => classifyRepoUrl(repo.url, { allowLocal: false })).toThrow(/file:\/\/ repositories are disabled. Set PATCHBAY_ALLOW_LOCAL_REPOS=1/);
    expect(classifyRepoUrl(repo.url, { allowLocal: true })).toBe("file");
  });

  it("a missing branch fails with its name and the branches that exist", async () => {
    await defaultWorker();
    const run = await runTask("Fix the greeting", { branch: "does-not-exist" });
    await expectFailed(run, ['Branch "does-not-exist" does not exist', "main", "feature/other"], 20_000);
  });
});

describe("task validation", () => {
  it("rejects an empty or oversized prompt and creates nothing", async () => {
    const before = await taskCount();
    for (const prompt of ["", "   \n\t "]) {
      const error = await createTask(userId, { environmentId, prompt }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues[0]?.message).toMatch(/Prompt is empty/);
    }
    // 32 KiB is counted in UTF-8 bytes: 11,000 "€" are 33,000 bytes.
    for (const prompt of ["x".repeat(32 * 1024 + 1), "€".repeat(11_000)]) {
      const error = await createTask(userId, { environmentId, prompt }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues[0]?.message).toMatch(/Prompt is larger than 32 KiB/);
    }
    expect(await taskCount()).toEqual(before);
  });

  it("rejects a branch name with shell syntax in it and creates nothing", async () => {
    const before = await taskCount();
    for (const branch of ["feat/$(touch /tmp/pwned)", "main;touch /tmp/pwned", "-x", "a..b", "feat/`id`\n"]) {
      const error = await createTask(userId, { environmentId, prompt: "Fix it", branch }).catch((caught: unknown) => caught);
      expect(error, branch).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues[0]).toMatchObject({ path: ["branch"], message: expect.stringMatching(/^Branch name/) });
    }
    expect(await taskCount()).toEqual(before);
    expect(existsSync("/tmp/pwned")).toBe(false);
  });
});

describe("model endpoint problems", () => {
  it("HTTP 401 fails at once and names OPENAI_API_KEY", async () => {
    await defaultWorker();
    const run = await runTask(`${script("fault-401", { steps: [{ fault: "http-401" }] })} Fix it`);
    await expectFailed(run, ["rejected the API key (HTTP 401)", "OPENAI_API_KEY"], 20_000);
    expect(model.requests().filter((request) => request.script === "fault-401")).toHaveLength(1);
  });

  it("HTTP 429 on every request fails after the SDK's retries", async () => {
    await defaultWorker();
    const run = await runTask(`${script("fault-429", { steps: [{ fault: "http-429" }] })} Fix it`);
    await expectFailed(run, ["rate limiting requests (HTTP 429)", "retries did not help"], 30_000);
    expect(model.requests().filter((request) => request.script === "fault-429")).toHaveLength(3);
  });

  it("HTTP 500 fails after retries and says to try later", async () => {
    await defaultWorker();
    const run = await runTask(`${script("fault-500", { steps: [{ fault: "http-500" }] })} Fix it`);
    await expectFailed(run, ["failed (HTTP 500) after retries", "Try again later"], 30_000);
    expect(model.requests().filter((request) => request.script === "fault-500")).toHaveLength(3);
  });

  it("a transient 500 is retried and the run completes", async () => {
    await defaultWorker();
    const run = await runTask(`${script("fault-500-once", { steps: [{ fault: "http-500", repeat: 1 }, { say: "Recovered." }] })} Fix it`);
    expect(run.attempt.error).toBeNull();
    expect(run.attempt.status).toBe("completed");
    expect(run.attempt.finalMessage).toBe("Recovered.");
    await waitForSandboxRemoved(run.attempt.id);
  });

  it("a malformed stream fails with a message saying the response could not be read", async () => {
    await defaultWorker();
    const run = await runTask(`${script("fault-malformed", { steps: [{ fault: "malformed-stream" }] })} Fix it`);
    await expectFailed(run, ["The model endpoint sent a response Patchbay could not read"], 20_000);
  });

  it("a model that never answers fails after the model timeout", async () => {
    await useWorker("model-timeout-3s", model.url, { model: { apiKey: "sk-test-key-do-not-leak", baseURL: model.url, model: "scripted", timeoutMs: 3_000 } });
    const run = await runTask(`${script("fault-hang", { steps: [{ fault: "hang" }] })} Fix it`);
    await expectFailed(run, [`The model endpoint at ${model.url} stopped sending data for 3 s`], 12_000);
  });

  it("no model configured fails at once and names OPENAI_API_KEY", async () => {
    await useWorker("no-model", null);
    const run = await runTask("Fix the greeting");
    await expectFailed(run, ["No model is configured", "OPENAI_API_KEY", "PATCHBAY_MODEL"], 5_000);
    expect(run.attempt.baseCommit).toBeNull();
  });
});

describe("sandbox problems", () => {
  it("Docker down when the job starts fails saying the engine is not reachable", async () => {
    await useWorker("docker-down", model.url, { driver: createDockerDriver(createDocker("/tmp/nope.sock"), { allowedImages: [TEST_SANDBOX_IMAGE] }) });
    const run = await runTask("Fix the greeting");
    await expectFailed(run, ["The Docker engine is not reachable", "Start Docker"], 20_000);
  });

  it("a command that hangs is stopped at the command timeout and the run goes on", async () => {
    await useWorker("command-timeout-3s", model.url, { commandTimeoutSec: 3 });
    const marker = script("hang-command", {
      steps: [{ calls: [{ name: "shell", arguments: { command: "sleep 600" } }] }, { say: "The command timed out; stopping." }],
    });
    const run = await runTask(`${marker} Run the slow thing`, { timeoutMs: 40_000 });
    expect(run.attempt.error).toBeNull();
    expect(run.attempt.status).toBe("completed");
    expect(run.elapsedMs).toBeLessThan(25_000);
    const end = toolEnds(run.events).find((payload) => payload.tool === "shell");
    expect(end).toMatchObject({ ok: false, exitCode: 124, timedOut: true });
    expect(end?.durationMs).toBeGreaterThanOrEqual(2_500);
    expect(end?.durationMs).toBeLessThan(10_000);
    const [output] = toolOutputsSeenByModel("hang-command");
    expect(output).toMatch(/^Exit code: 124\nThe command timed out after 3 s and was stopped\./);
    await waitForSandboxRemoved(run.attempt.id);
  });

  it("a command that prints gigabytes is cut short: capped events, shortened output for the model", async () => {
    await defaultWorker();
    const marker = script("flood-command", {
      steps: [{ calls: [{ name: "shell", arguments: { command: "yes 'all work and no play' | head -c 30G" } }] }, { say: "That was a lot of output." }],
    });
    const run = await runTask(`${marker} Print everything`, { timeoutMs: 60_000 });
    expect(run.attempt.error).toBeNull();
    expect(run.attempt.status).toBe("completed");
    expect(run.elapsedMs).toBeLessThan(20_000);
    const end = toolEnds(run.events).find((payload) => payload.tool === "shell");
    expect(end).toMatchObject({ ok: false, truncated: true });
    expect(end?.timedOut).toBeUndefined();
    // Stopped when the cap was hit, not left running until the 20 s command timeout.
    expect(end?.durationMs).toBeLessThan(5_000);

    const chunks = run.events.flatMap((event) => (event.type === "tool.output" ? [Buffer.byteLength(event.payload.chunk)] : []));
    expect(chunks.length).toBeGreaterThan(0);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(MAX_EVENT_CHUNK_BYTES);
    const streamed = chunks.reduce((sum, size) => sum + size, 0);
    expect(streamed).toBeLessThanOrEqual(256 * 1024 + 1024);
    expect(streamed).toBeGreaterThan(128 * 1024);

    const [output = ""] = toolOutputsSeenByModel("flood-command");
    expect(output).toContain("Output exceeded 1 MiB; the command was stopped and its output cut.");
    expect(output).toMatch(/\[\.\.\. \d+ characters omitted \.\.\.\]/);
    expect(output.length).toBeLessThan(17 * 1024);
    expect(output).toContain("all work and no play");
    await waitForSandboxRemoved(run.attempt.id);
  });
});

describe("hostile input stays data", () => {
  it("a prompt with shell syntax is stored verbatim and never executed on the host", async () => {
    await defaultWorker();
    const hostile = "Fix it $(touch /tmp/pb-pwned-prompt) `touch /tmp/pb-pwned-prompt`; rm -rf / && echo done";
    const marker = script("echo-prompt", {
      steps: [
        { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Add File: request.txt\n+{{prompt}}\n*** End Patch" } }] },
        { calls: [{ name: "shell", arguments: { command: "cat request.txt; test -e /tmp/pb-pwned-prompt && echo SANDBOX-PWNED || echo sandbox-clean" } }] },
        { say: "Recorded the request." },
      ],
    });
    const prompt = `${marker} ${hostile}`;
    const run = await runTask(prompt);
    expect(run.attempt.error).toBeNull();
    expect(run.attempt.status).toBe("completed");

    const stored = await db().task.findUniqueOrThrow({ where: { id: run.task.id }, select: { prompt: true, turns: { select: { prompt: true } } } });
    expect(stored.prompt).toBe(prompt);
    expect(stored.turns[0]?.prompt).toBe(prompt);
    expect(run.attempt.patch).toContain(`+${hostile}\n`);
    const output = run.events.flatMap((event) => (event.type === "tool.output" ? [event.payload.chunk] : [])).join("");
    expect(output).toContain(`${hostile}\nsandbox-clean\n`);
    expect(existsSync(PROMPT_MARKER)).toBe(false);
    await waitForSandboxRemoved(run.attempt.id);
  });

  it("a real branch whose name is shell syntax is checked out as a name, not run", async () => {
    await defaultWorker();
    const marker = script("branch-name", {
      steps: [
        {
          calls: [
            { name: "shell", arguments: { command: "git branch --show-current; test -e /tmp/pb-pwned-branch && echo SANDBOX-PWNED || echo sandbox-clean" } },
          ],
        },
        { say: "ok" },
      ],
    });
    const run = await runTask(`${marker} Look at the branch`, { branch: SHELL_BRANCH });
    expect(run.attempt.error).toBeNull();
    expect(run.attempt.status).toBe("completed");
    expect(run.attempt.baseCommit).toBe(repo.baseCommit);
    const output = run.events.flatMap((event) => (event.type === "tool.output" ? [event.payload.chunk] : [])).join("");
    expect(output).toBe(`${SHELL_BRANCH}\nsandbox-clean\n`);
    expect(existsSync(BRANCH_MARKER)).toBe(false);
  });
});

describe("cancel", () => {
  it("cancelling a running attempt stops it within seconds and removes its sandbox", async () => {
    const handle = await defaultWorker();
    const subscriber = createRedis(process.env.REDIS_URL ?? "", "worker");
    subscribers.push(subscriber);
    await listenForControl(subscriber, handle.deps.active);
    const marker = script("cancel-sleep", { steps: [{ calls: [{ name: "shell", arguments: { command: "sleep 60" } }] }, { say: "Slept." }] });
    const task = await createTask(userId, { environmentId, prompt: `${marker} Sleep for a minute` });

    // Wait until the command is really running in the sandbox.
    await waitFor(
      "the sleep command to start",
      async () => (await listTaskEvents(task.id, 0n)).some((event) => event.type === "tool.begin" && event.payload.command === "sleep 60"),
      30_000,
    );
    const running = await db().attempt.findUniqueOrThrow({ where: { id: task.attemptId } });
    expect(running.status).toBe("running");
    expect(await containersOf(task.attemptId)).toHaveLength(1);

    const cancelledAt = Date.now();
    expect(await cancelTask(userId, task.id)).toEqual({ status: "cancelling" });
    const attempt = await waitForFinishedAttempt(task.attemptId, 20_000);
    expect(attempt.status).toBe("cancelled");
    expect(Date.now() - cancelledAt).toBeLessThan(8_000);
    expect(attempt.cancelRequestedAt).not.toBeNull();
    await waitForSandboxRemoved(task.attemptId);
    const events = await listTaskEvents(task.id, 0n);
    expect(events.at(-1)).toMatchObject({ type: "status", payload: { status: "cancelled" } });
    // The model was never asked what to do after the sleep.
    expect(model.requests().filter((request) => request.script === "cancel-sleep")).toHaveLength(1);
    await expect(cancelTask(userId, task.id)).rejects.toMatchObject({ code: "conflict" });
  });

  it("cancelling a queued task removes its job and marks it cancelled", async () => {
    await stopWorker();
    const task = await createTask(userId, { environmentId, prompt: "Never runs" });
    expect(await attemptsQueue().getJob(task.attemptId)).toBeDefined();
    expect(await cancelTask(userId, task.id)).toEqual({ status: "cancelled" });
    expect(await attemptsQueue().getJob(task.attemptId)).toBeUndefined();
    const attempt = await db().attempt.findUniqueOrThrow({ where: { id: task.attemptId } });
    expect(attempt.status).toBe("cancelled");
    expect(attempt.startedAt).toBeNull();
    const events = await listTaskEvents(task.id, 0n);
    expect(events.map((event) => event.type)).toEqual(["turn", "status"]);
    expect(events[1]).toMatchObject({ payload: { status: "cancelled", message: "Cancelled before it started." } });
  });
});
