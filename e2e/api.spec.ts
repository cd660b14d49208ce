// The REST API with a bearer token from the CLI: the same flow as the browser, plus its error contract.
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
    .poll(async () => {
      task = await (await api.get(`/api/v1/tasks/${id}`, { headers: auth })).json();
      return statuses.includes(task.status);
    }, { timeout: 60_000 })
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

  const missingBranch = await request.post("/api/v1/tasks", { headers: alice, data: { environmentId: env.id, prompt: "[[script:none]] hi", branch: "does-not-exist" } });
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
