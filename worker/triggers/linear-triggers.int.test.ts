// Linear webhook triggers end to end: Linear's documented deliveries (test/fixtures/linear), rewritten to the
// imitation's issues and the test's people, signed with the environment's signing secret and delivered to
// the route as Linear would; the real queue and worker act on them (a task run by the scripted model in a
// sandbox, a pull request on a GitHub imitation), and the comments go back to the Linear imitation through
// @linear/sdk, every request held to the SDK's schema.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { DELETE as deleteLinear } from "@/app/api/v1/environments/[environmentId]/linear/route";
import { POST as postTestEvent } from "@/app/api/v1/environments/[environmentId]/linear/test/route";
import { POST as deliverWebhook } from "@/app/api/v1/webhooks/linear/[environmentId]/route";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { getEnvironment } from "@/lib/environments/environment-queries";
import { signLinearDelivery } from "@/lib/triggers/linear-signature";
import { setLinearSettings } from "@/lib/triggers/linear-settings";
import { listTriggers } from "@/lib/triggers/triggers";
import { createFixtureRepo, type FixtureRepo } from "@/test/support/fixture-repo";
import { type GitHubImitation, startGitHubImitation } from "@/test/support/github-imitation";
import { type ImitatedIssue, type ImitatedUser, type LinearImitation, startLinearImitation } from "@/test/support/linear-imitation";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, TEST_PUBLIC_URL } from "@/test/support/test-worker";
import { triggerWhen, replySent, stepNames } from "@/test/support/trigger-inbox";

// The worker reads Linear's address from this object when a job runs: it is filled in once the imitation runs.
const triggers: { linearApiUrl?: string } = {};
const scripted = useScriptedWorker({}, { triggers });
const SIGNING_SECRET = "lin_wh_imitationSigningSecret0123456789";
const GITHUB_TOKEN = "ghp_imitationToken0123456789abcdef";

let linear: LinearImitation;
let repo: FixtureRepo;
const githubs: GitHubImitation[] = [];

beforeAll(async () => {
  linear = await startLinearImitation();
  triggers.linearApiUrl = linear.url;
  repo = createFixtureRepo();
});

afterEach(async () => {
  expect(linear.violations).toEqual([]);
  await Promise.all(githubs.splice(0).map((github) => github.close()));
});

afterAll(async () => {
  await linear?.close();
});

const addExclamation = '*** Begin Patch\n*** Update File: src/greet.js\n@@\n-  return "Hello, " + name;\n+  return "Hello, " + name + "!";\n*** End Patch';

/** An environment whose owner is also a Linear user (the same e-mail), with Linear set up; `forge`: connected to a GitHub. */
async function linearEnvironment(name: string, options: { forge?: true } = {}) {
  const owner = await createUser(`${name}-${randomUUID().slice(0, 8)}@example.com`);
  const person = linear.addUser({ name: `Owner ${name}`, displayName: `owner-${name}`, email: owner.email });
  let github: GitHubImitation | null = null;
  let repoUrl = repo.url;
  if (options.forge) {
    github = await startGitHubImitation({ token: GITHUB_TOKEN });
    githubs.push(github);
    repoUrl = github.createRepository("acme/web", repo.dir).cloneUrl;
  }
  const environment = await createEnvironment(owner.id, {
    name,
    repoUrl,
    ...(github ? { repoCredential: { kind: "token", token: GITHUB_TOKEN }, forge: { kind: "github", url: github.apiUrl, token: GITHUB_TOKEN } } : {}),
  });
  const view = await setLinearSettings(owner.id, environment.id, { signingSecret: SIGNING_SECRET, apiKey: linear.apiKey }, { apiUrl: linear.url });
  return { owner, person, github, environment, view };
}

// ---------------------------------------------------------------------------------------------------------
// Linear's deliveries (test/fixtures/linear), rewritten to the imitation.

type Payload = Record<string, unknown> & { data: Record<string, unknown> };

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, "../../test/fixtures/linear", name), "utf8")) as Payload;
}

const actorOf = (person: ImitatedUser, withEmail = true) => ({
  id: person.id,
  type: "user",
  name: person.name,
  ...(withEmail ? { email: person.email } : {}),
  url: `https://linear.app/imitation/profiles/${person.displayName}`,
});

/** `person` assigns `issue` to Patchbay's Linear user (Issue update, as in issue-update-assigned.json). */
function assignment(issue: ImitatedIssue, person: ImitatedUser, options: { withEmail?: boolean } = {}): Payload {
  const payload = fixture("issue-update-assigned.json");
  Object.assign(payload.data, {
    id: issue.id,
    identifier: issue.identifier,
    title: issue.title,
    description: issue.description,
    url: issue.url,
    assigneeId: linear.agent.id,
    assignee: { id: linear.agent.id, name: linear.agent.name, url: `https://linear.app/imitation/profiles/${linear.agent.displayName}` },
    updatedAt: new Date().toISOString(),
  });
  return { ...payload, actor: actorOf(person, options.withEmail), url: issue.url, webhookTimestamp: Date.now() };
}

/** `person` comments `body` on `issue` (Comment create, as in comment-create-mention.json). */
function comment(issue: ImitatedIssue, person: ImitatedUser, body: string, options: { withEmail?: boolean } = {}): Payload {
  const payload = fixture("comment-create-mention.json");
  const id = randomUUID();
  Object.assign(payload.data, {
    id,
    body,
    issueId: issue.id,
    userId: person.id,
    issue: { ...(payload.data.issue as object), id: issue.id, identifier: issue.identifier, title: issue.title, url: issue.url },
  });
  return { ...payload, actor: actorOf(person, options.withEmail), url: `${issue.url}#comment-${id.slice(0, 8)}`, webhookTimestamp: Date.now() };
}

/** Delivers `payload` to the environment's Linear route as Linear does, signed with `secret` (null: unsigned). */
async function deliver(environmentId: string, payload: Payload, options: { secret?: string | null; deliveryId?: string } = {}) {
  const rawBody = JSON.stringify(payload);
  const secret = options.secret === undefined ? SIGNING_SECRET : options.secret;
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Linear-Webhook",
    "linear-delivery": options.deliveryId ?? randomUUID(),
    "linear-event": String(payload.type),
  };
  if (secret !== null) headers["linear-signature"] = signLinearDelivery(secret, rawBody);
  const response = await deliverWebhook(
    new NextRequest(`http://localhost/api/v1/webhooks/linear/${environmentId}`, { method: "POST", body: rawBody, headers }),
    { params: Promise.resolve({ environmentId }) },
  );
  return { status: response.status, body: (await response.json()) as { trigger?: string; status?: string; duplicate?: true; error?: { message: string } } };
}

const tasksIn = (environmentId: string) => db().task.count({ where: { environmentId } });
const commentsOn = (issue: ImitatedIssue) => linear.comments.filter((entry) => entry.issueId === issue.id).map((entry) => entry.body);
const promptOf = async (taskId: string | null) => (await db().task.findUniqueOrThrow({ where: { id: taskId ?? "" }, select: { prompt: true } })).prompt;

it("refuses deliveries without the signing secret's signature, starts one task however often a request comes, and never shows the secret or key", async () => {
  const { owner, person, environment, view } = await linearEnvironment("lt-signatures");
  // The key was checked with Linear: its user is whom Patchbay acts as.
  expect(view).toEqual({
    url: `${process.env.PATCHBAY_PUBLIC_URL ?? "http://localhost:3000"}/api/v1/webhooks/linear/${environment.id}`,
    agent: { userId: linear.agent.id, name: "Patchbay", displayName: "patchbay" },
  });
  const shown = await getEnvironment(owner.id, environment.id);
  expect(shown.linear).toEqual(view);
  const row = JSON.stringify((await db().environment.findUniqueOrThrow({ where: { id: environment.id } })).linear);
  for (const secret of [SIGNING_SECRET, linear.apiKey]) {
    expect(JSON.stringify(shown)).not.toContain(secret);
    expect(row).not.toContain(secret);
  }
  // A key Linear refuses is not stored.
  await expect(setLinearSettings(owner.id, environment.id, { apiKey: "lin_api_notTheKey" }, { apiUrl: linear.url })).rejects.toThrow(
    /Linear refused the API key/,
  );

  const issue = linear.addIssue({ identifier: "LIN-1", title: "Greet warmly", description: "The greeting is fine as it is. [[script:lt-signatures]]" });
  scripted.model.registerScript("lt-signatures", { steps: [{ say: "The greeting is warm enough already." }] });
  const payload = assignment(issue, person);
  const deliveryId = randomUUID();

  const unsigned = await deliver(environment.id, payload, { secret: null, deliveryId });
  expect(unsigned.status).toBe(401);
  const forged = await deliver(environment.id, payload, { secret: "lin_wh_notTheSecret" });
  expect(forged.status).toBe(401);
  const stale = await deliver(environment.id, { ...payload, webhookTimestamp: Date.now() - 5 * 60_000 });
  expect(stale.status).toBe(401);
  const refused = await listTriggers(owner.id, { environmentId: environment.id });
  expect(refused.map(({ status, reason }) => ({ status, reason }))).toEqual([
    { status: "refused", reason: expect.stringMatching(/^stale: the delivery's webhookTimestamp is more than a minute old/) },
    { status: "refused", reason: expect.stringMatching(/^bad signature:/) },
    { status: "refused", reason: "missing signature: the delivery has no Linear-Signature header" },
  ]);
  expect(refused.every((trigger) => trigger.taskId === null && !trigger.retryable && trigger.source === "linear")).toBe(true);
  expect(await tasksIn(environment.id)).toBe(0);

  const accepted = await deliver(environment.id, payload, { deliveryId });
  expect(accepted).toEqual({ status: 200, body: { trigger: expect.any(String), status: "received" } });
  const triggerId = accepted.body.trigger ?? "";
  // Linear's retry (the same Linear-Delivery), and the same signed body under another delivery id: the same trigger.
  expect(await deliver(environment.id, payload, { deliveryId })).toEqual({
    status: 200,
    body: { trigger: triggerId, status: expect.any(String), duplicate: true },
  });
  expect((await deliver(environment.id, payload)).body).toEqual({ trigger: triggerId, status: expect.any(String), duplicate: true });

  const done = await triggerWhen(owner.id, triggerId, "done and answered", (trigger) => trigger.status === "done" && replySent("finished")(trigger));
  expect(await tasksIn(environment.id)).toBe(1);
  expect(done).toMatchObject({ source: "linear", event: "issue.update", actor: person.name, url: issue.url, reason: null, retryable: false });
  expect(done.summary).toBe(`LIN-1 assigned to Patchbay by ${person.name}: Greet warmly`);
  // The task is the issue: its title first (naming the issue), then its description.
  const prompt = await promptOf(done.taskId);
  expect(prompt.split("\n")[0]).toBe("LIN-1: Greet warmly");
  expect(prompt).toContain("The issue says:\nThe greeting is fine as it is.");
  const taskUrl = `${TEST_PUBLIC_URL}/tasks/${done.taskId}`;
  expect(commentsOn(issue)).toEqual([
    `Started a task for this request: ${taskUrl} I will answer here when it ends.`,
    `Finished without changing any files.\n\n> The greeting is warm enough already.\n\n[Open the task in Patchbay](${taskUrl})`,
  ]);
  expect(done.replies).toEqual([
    { kind: "started", status: "sent", attempts: 1, url: expect.stringContaining(issue.url) },
    { kind: "finished", status: "sent", attempts: 1, url: expect.stringContaining(issue.url) },
  ]);
  expect(stepNames(done)).toEqual(["received", "verified", "queued", "matched", "started", "replied: started", "finished", "replied: finished"]);
  // Patchbay's own comment coming back as a delivery is not a request.
  const echo = comment(issue, { ...person, id: linear.agent.id, name: "Patchbay" }, `https://linear.app/imitation/profiles/patchbay ${commentsOn(issue)[1]}`);
  expect((await deliver(environment.id, echo)).body.status).toBe("ignored");
});

it("opens the pull request an assigned issue's task made, named after the issue, and comments its link on the issue", async () => {
  const { owner, person, github, environment } = await linearEnvironment("lt-assign", { forge: true });
  const issue = linear.addIssue({
    identifier: "LIN-2",
    title: "The greeting is flat",
    description: "It should end with an exclamation mark. [[script:lt-assign]]",
  });
  scripted.model.registerScript("lt-assign", {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addExclamation } }] }, { say: "The greeting now ends with an exclamation mark." }],
  });

  // The delivery names the actor without an e-mail: the worker reads it from Linear.
  const accepted = await deliver(environment.id, assignment(issue, person, { withEmail: false }));
  const done = await triggerWhen(
    owner.id,
    accepted.body.trigger ?? "",
    "done and answered",
    (trigger) => trigger.status === "done" && replySent("finished")(trigger),
  );

  const [pull, ...others] = github?.pullRequests("acme/web") ?? [];
  expect(others).toEqual([]);
  // Linear's GitHub integration links a pull request whose title or branch names the issue.
  expect(pull).toMatchObject({ title: "LIN-2: The greeting is flat", state: "open" });
  expect(pull?.head).toMatch(/^patchbay\/lin-2-the-greeting-is-flat-/);
  const [started, finished, ...more] = commentsOn(issue);
  expect(more).toEqual([]);
  expect(started).toContain(`${TEST_PUBLIC_URL}/tasks/${done.taskId}`);
  expect(finished?.startsWith(`Done: ${pull?.htmlUrl}`)).toBe(true);
  expect(finished).toContain("> The greeting now ends with an exclamation mark.");
  expect(stepNames(done)).toEqual([
    "received",
    "verified",
    "queued",
    "matched",
    "started",
    "replied: started",
    "finished",
    "publishing",
    "published",
    "replied: finished",
  ]);
  expect(linear.operations).toContain("user");
  expect(github?.violations()).toEqual([]);
});

it("starts a task for a comment that mentions Patchbay, with the request and the issue read from Linear", async () => {
  const { owner, person, environment } = await linearEnvironment("lt-mention");
  const issue = linear.addIssue({ identifier: "LIN-3", title: "Greeting", description: "People find the greeting cold." });
  scripted.model.registerScript("lt-mention", {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addExclamation } }] }, { say: "Added an exclamation mark." }],
  });
  const body = "https://linear.app/imitation/profiles/patchbay [[script:lt-mention]] add an exclamation mark to the greeting";

  const accepted = await deliver(environment.id, comment(issue, person, body));
  expect(accepted.body.status).toBe("received");
  const done = await triggerWhen(
    owner.id,
    accepted.body.trigger ?? "",
    "done and answered",
    (trigger) => trigger.status === "done" && replySent("finished")(trigger),
  );
  expect(done).toMatchObject({ event: "comment.create", summary: `Patchbay mentioned on LIN-3 by ${person.name}` });

  const prompt = await promptOf(done.taskId);
  expect(prompt.split("\n")[0]).toBe("LIN-3: [[script:lt-mention]] add an exclamation mark to the greeting");
  expect(prompt).toContain('a comment on Linear issue LIN-3 "Greeting"');
  // A comment's delivery carries no description: it was read from Linear.
  expect(prompt).toContain("The issue says:\nPeople find the greeting cold.");
  // No forge: the change waits in Patchbay, and the answer says so.
  expect(commentsOn(issue)[1]).toMatch(/^Done: 1 file changed\. Review the change and open a pull request from the task in Patchbay\./);
  expect(await db().pullRequest.count({ where: { taskId: done.taskId ?? "" } })).toBe(0);
});

it("answers a request from someone without a Patchbay account with why nothing ran", async () => {
  const { owner, environment } = await linearEnvironment("lt-stranger");
  const stranger = linear.addUser({ name: "Drive By", email: "drive-by@elsewhere.example" });
  const issue = linear.addIssue({ identifier: "LIN-4", title: "Typo" });

  const accepted = await deliver(environment.id, comment(issue, stranger, "https://linear.app/imitation/profiles/patchbay fix the typo"));
  const refused = await triggerWhen(
    owner.id,
    accepted.body.trigger ?? "",
    "refused and answered",
    (trigger) => trigger.status === "refused" && replySent("refused")(trigger),
  );
  const why = "user not allowed: no Patchbay account has the e-mail of Drive By's Linear account";
  expect(refused).toMatchObject({ reason: why, taskId: null, retryable: true });
  expect(commentsOn(issue)).toEqual([`Nothing was started: ${why}.`]);
  expect(await tasksIn(environment.id)).toBe(0);
});

it("keeps a comment Linear fails to take pending, and sends it on the third try", async () => {
  const { owner, environment } = await linearEnvironment("lt-outbox");
  const stranger = linear.addUser({ name: "Passer By", email: "passer-by@elsewhere.example" });
  const issue = linear.addIssue({ identifier: "LIN-5", title: "Something" });
  // The delivery gives the actor's e-mail, so the comment is the first thing asked of Linear: it fails twice.
  linear.failNext(2, 503);

  const accepted = await deliver(environment.id, comment(issue, stranger, "https://linear.app/imitation/profiles/patchbay do something"));
  const triggerId = accepted.body.trigger ?? "";
  const pending = await triggerWhen(owner.id, triggerId, "the reply pending", (trigger) => trigger.replies.some((reply) => reply.status === "pending"), 60_000);
  expect(pending.replies).toEqual([
    { kind: "refused", status: "pending", attempts: expect.any(Number), error: expect.stringContaining("Linear answered HTTP 503") },
  ]);
  expect(stepNames(pending)).not.toContain("replied: refused");

  const sent = await triggerWhen(owner.id, triggerId, "the reply sent", replySent("refused"), 60_000);
  expect(sent.replies).toEqual([{ kind: "refused", status: "sent", attempts: 3, url: expect.stringContaining(issue.url) }]);
  expect(commentsOn(issue)).toHaveLength(1);
});

/** An API call to the environment's Linear routes with the user's token. */
async function callApi(handler: typeof postTestEvent, method: string, userId: string, environmentId: string) {
  const request = new NextRequest(`http://localhost/api/v1/environments/${environmentId}/linear`, {
    method,
    headers: { authorization: `Bearer ${await createApiToken(userId)}` },
  });
  const response = await handler(request, { params: Promise.resolve({ environmentId }) });
  return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as Record<string, unknown>) };
}

it("shows Patchbay's test event done in the inbox, and takes nothing once Linear is disconnected", async () => {
  const { owner, person, environment } = await linearEnvironment("lt-test-event");
  const someoneElse = await createUser();
  expect((await callApi(postTestEvent, "POST", someoneElse.id, environment.id)).status).toBe(404);
  const test = await callApi(postTestEvent, "POST", owner.id, environment.id);
  expect(test).toEqual({ status: 200, body: { trigger: expect.any(String), status: "done" } });
  const [shown, ...others] = await listTriggers(owner.id, { environmentId: environment.id });
  expect(others).toEqual([]);
  expect(shown).toMatchObject({
    id: test.body?.trigger,
    source: "linear",
    event: "test",
    status: "done",
    summary: "test: the Linear signing secret works; Patchbay acts as Patchbay",
    retryable: false,
  });
  // An update that is not about Patchbay is shown with why nothing ran.
  const issue = linear.addIssue({ identifier: "LIN-6", title: "Not ours" });
  const other = await deliver(environment.id, { ...fixture("issue-update-title.json"), webhookTimestamp: Date.now() });
  expect(other.body.status).toBe("ignored");

  expect((await callApi(deleteLinear, "DELETE", someoneElse.id, environment.id)).status).toBe(404);
  expect((await callApi(deleteLinear, "DELETE", owner.id, environment.id)).status).toBe(204);
  expect((await getEnvironment(owner.id, environment.id)).linear).toBeNull();
  const off = await deliver(environment.id, assignment(issue, person));
  expect(off).toEqual({ status: 404, body: { error: expect.objectContaining({ message: "No Linear webhook is set up at this address." }) } });
  expect((await callApi(postTestEvent, "POST", owner.id, environment.id)).status).toBe(400);
  expect(linear.comments.filter((entry) => entry.issueId === issue.id)).toEqual([]);
});
