// The REST API with a bearer token from the CLI: the same flow as the browser, plus its error contract.
import { spawnSync } from "node:child_process";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { createTokenWithCli, registerScript } from "./fixtures/helpers";

type SseEvent = { id: string; type: string; payload: Record<string, unknown> };

function parseSse(body: string): SseEvent[] {
  return body
    .split("\n\n")
    .filter((block) => !block.startsWith("event: end"))
    .map((block) => block.split("\n").find((line) => line.startsWith("data: ")))
    .filter((line): line is string => Boolean(line))
    .map((line) => JSON.parse(line.slice("data: ".length)) as SseEvent);
}

async function waitForStatus(api: APIRequestContext, auth: Record<string, string>, id: string, statuses: string[]) {
  let task: { status: string; error?: string } = { status: "" };
  await expect
    .poll(
      async () => {
        task = await (await api.get(`/api/v1/tasks/${id}`, { headers: auth })).json();
        return statuses.includes(task.status);
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return task;
}

test("drive a task over the REST API with a CLI token", async ({ request }) => {
  const token = createTokenWithCli("api-user@e2e.test");
  expect(token).toMatch(/^pb_[A-Za-z0-9_-]{20,}$/);
  const auth = { authorization: `Bearer ${token}` };
  const repo = createFixtureRepo();
  await registerScript(request, "api-flow", {
    steps: [
      { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Add File: hello.txt\n+hello from the API\n*** End Patch" } }] },
      { say: "Added hello.txt." },
    ],
  });

  const environment = await request.post("/api/v1/environments", { headers: auth, data: { name: "api env", repoUrl: repo.url, defaultBranch: "main" } });
  expect(environment.status()).toBe(201);
  const { id: environmentId } = await environment.json();

  const created = await request.post("/api/v1/tasks", { headers: auth, data: { environmentId, prompt: "[[script:api-flow]] add hello.txt" } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const task = await waitForStatus(request, auth, id, ["completed", "failed"]);
  expect(task).toMatchObject({ id, status: "completed" });

  const diff = await request.get(`/api/v1/tasks/${id}/diff`, { headers: auth });
  expect(diff.headers()["content-type"]).toContain("text/x-diff");
  expect(await diff.text()).toContain("+hello from the API");

  // SSE: the whole history, ending with the final status and an `end` event; then resume after an event id.
  expect(await (await request.get(`/api/v1/tasks/${id}/events`, { headers: auth })).text()).toMatch(/event: end\ndata: \{\}\n\n$/);
  const events = parseSse(await (await request.get(`/api/v1/tasks/${id}/events`, { headers: auth })).text());
  expect(events[0]).toMatchObject({ type: "turn", payload: { index: 0, prompt: "[[script:api-flow]] add hello.txt" } });
  expect(events.at(-1)).toMatchObject({ type: "status", payload: { status: "completed" } });
  const middle = events[Math.floor(events.length / 2)];
  const resumed = parseSse(await (await request.get(`/api/v1/tasks/${id}/events`, { headers: { ...auth, "last-event-id": middle?.id ?? "0" } })).text());
  expect(resumed.map((event) => event.id)).toEqual(events.slice(Math.floor(events.length / 2) + 1).map((event) => event.id));

  // A finished task cannot be cancelled.
  const cancel = await request.post(`/api/v1/tasks/${id}/cancel`, { headers: auth });
  expect(cancel.status()).toBe(409);
  expect((await cancel.json()).error.code).toBe("conflict");
});

test("the API refuses bad input and other people's data with JSON errors", async ({ request }) => {
  const anonymous = await request.get("/api/v1/tasks");
  expect(anonymous.status()).toBe(401);
  expect((await anonymous.json()).error.code).toBe("unauthorized");
  expect((await request.get("/api/v1/tasks", { headers: { authorization: "Bearer pb_not-a-real-token" } })).status()).toBe(401);

  const alice = { authorization: `Bearer ${createTokenWithCli("alice@e2e.test")}` };
  const bob = { authorization: `Bearer ${createTokenWithCli("bob@e2e.test")}` };
  const repo = createFixtureRepo();

  const badUrl = await request.post("/api/v1/environments", { headers: alice, data: { name: "x", repoUrl: "ftp://example.com/repo.git" } });
  expect(badUrl.status()).toBe(400);
  expect((await badUrl.json()).error.message).toContain("Unsupported repository URL");

  const malformed = await request.post("/api/v1/environments", { headers: { ...alice, "content-type": "application/json" }, data: "{not json" });
  expect(malformed.status()).toBe(400);

  const env = await (await request.post("/api/v1/environments", { headers: alice, data: { name: "alice env", repoUrl: repo.url } })).json();
  const tooLong = await request.post("/api/v1/tasks", { headers: alice, data: { environmentId: env.id, prompt: "x".repeat(32 * 1024 + 1) } });
  expect(tooLong.status()).toBe(400);
  expect((await tooLong.json()).error.message).toContain("larger than 32 KiB");
  const badBranch = await request.post("/api/v1/tasks", { headers: alice, data: { environmentId: env.id, prompt: "hi", branch: "bad..name" } });
  expect(badBranch.status()).toBe(400);

  const missingBranch = await request.post("/api/v1/tasks", {
    headers: alice,
    data: { environmentId: env.id, prompt: "[[script:none]] hi", branch: "does-not-exist" },
  });
  const { id } = await missingBranch.json();
  const failed = await waitForStatus(request, alice, id, ["failed"]);
  expect(failed.error).toContain('Branch "does-not-exist" does not exist');

  // Bob sees none of Alice's data.
  expect((await request.get(`/api/v1/tasks/${id}`, { headers: bob })).status()).toBe(404);
  expect((await request.get(`/api/v1/tasks/${id}/diff`, { headers: bob })).status()).toBe(404);
  expect((await request.get(`/api/v1/tasks/${id}/events`, { headers: bob })).status()).toBe(404);
  expect((await request.post(`/api/v1/tasks/${id}/cancel`, { headers: bob })).status()).toBe(404);
  expect((await request.post("/api/v1/tasks", { headers: bob, data: { environmentId: env.id, prompt: "hi" } })).status()).toBe(404);
  expect((await (await request.get("/api/v1/tasks", { headers: bob })).json()).tasks).toEqual([]);
});

test("best-of-N, selection, follow-ups, steering and ask mode over the API", async ({ request }) => {
  const auth = { authorization: `Bearer ${createTokenWithCli("agent-api@e2e.test")}` };
  const repo = createFixtureRepo();
  await registerScript(request, "api-best", {
    steps: [{ calls: [{ name: "shell", arguments: { command: "touch marker-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \\n')" } }] }, { say: "Marked." }],
  });
  const { id: environmentId } = await (await request.post("/api/v1/environments", { headers: auth, data: { name: "agent api", repoUrl: repo.url } })).json();

  const created = await request.post("/api/v1/tasks", { headers: auth, data: { environmentId, prompt: "[[script:api-best]] mark", attempts: 2 } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const task = await waitForStatus(request, auth, id, ["completed", "failed"]);
  expect(task).toMatchObject({ status: "completed", recommendedAttempt: 0, selectedAttempt: null });
  expect((task as unknown as { attempts: unknown[] }).attempts).toHaveLength(2);

  expect((await request.post(`/api/v1/tasks/${id}/attempts/5/select`, { headers: auth })).status()).toBe(404);
  const select = await request.post(`/api/v1/tasks/${id}/attempts/1/select`, { headers: auth });
  expect(select.status()).toBe(200);
  expect(await select.json()).toEqual({ selected: 1 });
  expect(await (await request.get(`/api/v1/tasks/${id}`, { headers: auth })).json()).toMatchObject({ selectedAttempt: 1, attempt: { index: 1 } });

  await registerScript(request, "api-follow", {
    steps: [{ calls: [{ name: "shell", arguments: { command: "sleep 2; ls marker-* | wc -l" } }] }, { say: "Counted." }],
  });
  const followUp = await request.post(`/api/v1/tasks/${id}/messages`, { headers: auth, data: { text: "[[script:api-follow]] count the markers" } });
  expect(followUp.status()).toBe(201);
  expect(await followUp.json()).toEqual({ kind: "follow-up", turn: 1 });
  // While the follow-up runs, a message steers it instead.
  await expect.poll(async () => (await (await request.get(`/api/v1/tasks/${id}`, { headers: auth })).json()).status, { timeout: 30_000 }).toBe("running");
  const steer = await request.post(`/api/v1/tasks/${id}/messages`, { headers: auth, data: { text: "Also say hello." } });
  expect(steer.status()).toBe(202);
  expect((await steer.json()).kind).toBe("steer");
  const after = await waitForStatus(request, auth, id, ["completed", "failed"]);
  expect(after).toMatchObject({ status: "completed", turns: 2 });
  // The follow-up continued from the selected attempt: exactly one marker in the workspace.
  const diff = await (await request.get(`/api/v1/tasks/${id}/diff`, { headers: auth })).text();
  expect(diff.match(/^diff --git a\/marker-/gm)).toHaveLength(1);

  await registerScript(request, "api-ask", { steps: [{ say: "It is in src/greet.js:2." }] });
  const ask = await request.post("/api/v1/tasks", { headers: auth, data: { environmentId, prompt: "[[script:api-ask]] where?", mode: "ask" } });
  const askTask = await waitForStatus(request, auth, (await ask.json()).id, ["completed", "failed"]);
  expect(askTask).toMatchObject({ status: "completed", mode: "ask", attempt: { finalMessage: "It is in src/greet.js:2.", filesChanged: 0 } });
});

test("submit a task and follow its timeline from the terminal with the CLI", async ({ request, baseURL }) => {
  const token = createTokenWithCli("cli-user@e2e.test");
  const auth = { authorization: `Bearer ${token}` };
  const repo = createFixtureRepo();
  await registerScript(request, "cli-flow", {
    steps: [{ calls: [{ name: "shell", arguments: { command: "echo from the terminal > cli.txt" } }] }, { say: "Wrote cli.txt." }],
  });
  const environment = await request.post("/api/v1/environments", { headers: auth, data: { name: "cli env", repoUrl: repo.url, defaultBranch: "main" } });
  const { id: environmentId } = await environment.json();

  const cli = (...args: string[]) =>
    spawnSync("npm", ["run", "--silent", "patchbay", "--", "task", ...args], {
      encoding: "utf8",
      env: { ...process.env, PATCHBAY_URL: baseURL, PATCHBAY_TOKEN: token },
      timeout: 120_000,
    });
  const created = cli("create", "--env", environmentId, "--watch", "[[script:cli-flow]]", "write", "cli.txt");
  expect(created.stderr).toBe("");
  const lines = created.stdout.trim().split("\n");
  expect(lines[0]).toMatch(new RegExp(`^Task (\\w+) created: ${baseURL}/tasks/\\w+$`));
  expect(lines).toContain("> [[script:cli-flow]] write cli.txt");
  expect(lines).toContain("$ echo from the terminal > cli.txt");
  expect(lines).toContain("agent: Wrote cli.txt.");
  expect(lines.at(-1)).toMatch(/^Task completed: /);
  expect(created.status).toBe(0);

  // Watching a finished task replays it; another person's token cannot see it.
  const taskId = /^Task (\w+) created/.exec(lines[0] ?? "")?.[1] ?? "";
  const replay = cli("watch", taskId);
  expect(replay.status).toBe(0);
  expect(replay.stdout).toContain("agent: Wrote cli.txt.");
  const stranger = spawnSync("npm", ["run", "--silent", "patchbay", "--", "task", "watch", taskId], {
    encoding: "utf8",
    env: { ...process.env, PATCHBAY_URL: baseURL, PATCHBAY_TOKEN: createTokenWithCli("cli-stranger@e2e.test") },
  });
  expect(stranger.status).toBe(1);
  expect(stranger.stderr).toMatch(/^task watch: .*not found/i);
});
