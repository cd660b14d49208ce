// GitHub webhook triggers end to end: GitHub's own example payloads (@octokit/webhooks-examples), rewritten to
// the GitHub imitation's acme/web and the test's people, signed with the environment's secret and delivered
// to the route as GitHub would; the real queue and worker act on them (a task run by the scripted model in a
// sandbox, a review of a pull request), and the replies go back to the imitation through Octokit, every
// request held to GitHub's OpenAPI description.
import { afterEach, beforeAll, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sign } from "@octokit/webhooks-methods";
import webhookExamples, { type WebhookDefinition } from "@octokit/webhooks-examples";
import { NextRequest } from "next/server";
import { POST as deliverWebhook } from "@/app/api/v1/webhooks/github/[environmentId]/route";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { getEnvironment } from "@/lib/environments/environment-queries";
import { getTask } from "@/lib/tasks/task-queries";
import { disableWebhook, enableWebhook, listTriggers, retryTrigger, sendTestEvent, updateAutoReview } from "@/lib/triggers/triggers";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { type GitHubImitation, type ImitatedPullRequest, startGitHubImitation } from "@/test/support/github-imitation";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, TEST_PUBLIC_URL } from "@/test/support/test-worker";
import { triggerWhen, replySent, stepNames } from "@/test/support/trigger-inbox";

const scripted = useScriptedWorker();
const TOKEN = "ghp_imitationToken0123456789abcdef";
const REPOSITORY = "acme/web";
const MARKER = "<!-- patchbay -->";

let repo: FixtureRepo;
const imitations: GitHubImitation[] = [];

beforeAll(() => {
  repo = createFixtureRepo();
});

afterEach(async () => {
  await Promise.all(imitations.splice(0).map((imitation) => imitation.close()));
});

const addExclamation = '*** Begin Patch\n*** Update File: src/greet.js\n@@\n-  return "Hello, " + name;\n+  return "Hello, " + name + "!";\n*** End Patch';

/** A GitHub person: `User.githubId` links a Patchbay account to one. Ids are unique to each test. */
type GitHubPerson = { login: string; id: number };
let nextGitHubId = 880_000_001;
const person = (login: string): GitHubPerson => ({ login, id: nextGitHubId++ });

/** A GitHub of the test's own holding acme/web, an environment connected to it, and its webhook turned on. */
async function webhookEnvironment(name: string) {
  const imitation = await startGitHubImitation({ token: TOKEN });
  imitations.push(imitation);
  const remote = imitation.createRepository(REPOSITORY, repo.dir);
  const owner = await createUser();
  const github = person(`owner-${name}`);
  // The owner signed in to Patchbay with GitHub once: that linked their GitHub id.
  await db().user.update({ where: { id: owner.id }, data: { githubId: String(github.id) } });
  const environment = await createEnvironment(owner.id, {
    name,
    repoUrl: remote.cloneUrl,
    repoCredential: { kind: "token", token: TOKEN },
    forge: { kind: "github", url: imitation.apiUrl, token: TOKEN },
  });
  const webhook = await enableWebhook(owner.id, environment.id, {});
  return { imitation, gitDir: remote.gitDir, owner, github, environment, secret: webhook.secret, webhook };
}

// ---------------------------------------------------------------------------------------------------------
// GitHub's example payloads, rewritten to the imitation.

type EventName = WebhookDefinition["name"];
type Example<E extends EventName, A extends string> = Extract<WebhookDefinition<E>["examples"][number], { action: A }>;

/** GitHub's published examples of `event`. */
function examplesOf<E extends EventName>(event: E): WebhookDefinition<E>["examples"] {
  const definition = (webhookExamples as { name: string; examples: unknown[] }[]).find((entry) => entry.name === event);
  if (!definition) throw new Error(`@octokit/webhooks-examples has no ${event} event`);
  return definition.examples as WebhookDefinition<E>["examples"];
}

/** An example payload with its addresses and repository (Codertocat/Hello-World, Octocoders/…) the imitation's acme/web. */
function onImitation<T>(imitation: GitHubImitation, payload: T): T {
  const repository = (payload as { repository?: { full_name: string; name: string } }).repository;
  let text = JSON.stringify(payload).replaceAll("https://api.github.com", imitation.apiUrl).replaceAll("https://github.com", imitation.url);
  if (repository) text = text.replaceAll(repository.full_name, REPOSITORY).replaceAll(JSON.stringify(repository.name), '"web"');
  return JSON.parse(text) as T;
}

/** GitHub's published example of `event` with `action`, on the imitation. */
function githubExample<E extends EventName, A extends string>(imitation: GitHubImitation, event: E, action: A): Example<E, A> {
  const examples: unknown[] = examplesOf(event);
  const found = examples.find((entry) => (entry as { action?: string }).action === action);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event} ${action}`);
  return onImitation(imitation, found as unknown as Example<E, A>);
}

let nextCommentId = 2_000_000_001;

/** `author` comments `body` on issue `issue` (GitHub's issue_comment "created"). */
function issueComment(imitation: GitHubImitation, issue: { number: number; title: string; body?: string }, author: GitHubPerson, body: string) {
  const payload = githubExample(imitation, "issue_comment", "created");
  const commentId = nextCommentId++;
  const issueUrl = `${imitation.url}/${REPOSITORY}/issues/${issue.number}`;
  Object.assign(payload.issue, {
    number: issue.number,
    title: issue.title,
    body: issue.body ?? null,
    html_url: issueUrl,
    url: `${imitation.apiUrl}/repos/${REPOSITORY}/issues/${issue.number}`,
  });
  Object.assign(payload.comment, { id: commentId, body, html_url: `${issueUrl}#issuecomment-${commentId}` });
  Object.assign(payload.comment.user, author);
  Object.assign(payload.sender, author);
  return payload;
}

/** GitHub's pull_request `action` for `pull` on the imitation at `headSha`, opened by `author`. */
function pullRequestEvent(
  imitation: GitHubImitation,
  action: "opened" | "synchronize" | "ready_for_review",
  pull: ImitatedPullRequest,
  input: { headSha: string; author: string; draft?: boolean },
) {
  const payload = githubExample(imitation, "pull_request", action);
  payload.number = pull.number;
  Object.assign(payload.pull_request, {
    number: pull.number,
    html_url: pull.htmlUrl,
    url: `${imitation.apiUrl}/repos/${REPOSITORY}/pulls/${pull.number}`,
    title: pull.title,
    draft: input.draft ?? false,
  });
  Object.assign(payload.pull_request.user, { login: input.author });
  Object.assign(payload.pull_request.head, { ref: pull.head, sha: input.headSha, label: `acme:${pull.head}` });
  Object.assign(payload.pull_request.base, { ref: pull.base, label: `acme:${pull.base}` });
  return payload;
}

/**
 * Delivers `payload` to the environment's webhook route as GitHub does, signed with `secret` (none: unsigned);
 * `form`: with the content type GitHub's settings start with, the JSON in a form field `payload`.
 */
async function deliver(environmentId: string, event: string, payload: unknown, options: { secret: string | null; deliveryId?: string; form?: true }) {
  const rawBody = options.form ? new URLSearchParams({ payload: JSON.stringify(payload) }).toString() : JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": options.form ? "application/x-www-form-urlencoded" : "application/json",
    "user-agent": "GitHub-Hookshot/imitation",
    "x-github-event": event,
    "x-github-delivery": options.deliveryId ?? randomUUID(),
    "x-github-hook-id": "1",
    "x-github-hook-installation-target-type": "repository",
  };
  if (options.secret !== null) headers["x-hub-signature-256"] = await sign(options.secret, rawBody);
  const response = await deliverWebhook(
    new NextRequest(`http://localhost/api/v1/webhooks/github/${environmentId}`, { method: "POST", body: rawBody, headers }),
    { params: Promise.resolve({ environmentId }) },
  );
  return { status: response.status, body: (await response.json()) as { trigger?: string; status?: string; duplicate?: true; error?: { message: string } } };
}

const tasksIn = (environmentId: string, mode?: "code" | "review") => db().task.count({ where: { environmentId, ...(mode ? { mode } : {}) } });

it("refuses deliveries without the environment's signature, records a delivery once, and shows the secret only once", async () => {
  const { imitation, owner, github, environment, secret, webhook } = await webhookEnvironment("tr-signatures");
  expect(webhook.url).toBe(`${process.env.PATCHBAY_PUBLIC_URL ?? "http://localhost:3000"}/api/v1/webhooks/github/${environment.id}`);
  // The secret is in the answer that turned the webhook on, and nowhere after: not on the page, not in the clear in the row.
  const shown = await getEnvironment(owner.id, environment.id);
  expect(shown.webhook).toMatchObject({ enabled: true, url: webhook.url });
  expect(JSON.stringify(shown)).not.toContain(secret);
  expect(JSON.stringify((await db().environment.findUniqueOrThrow({ where: { id: environment.id } })).webhook)).not.toContain(secret);

  imitation.createIssue(REPOSITORY, { title: "Say hello more warmly" });
  scripted.model.registerScript("tr-signatures", { steps: [{ say: "The greeting is warm enough already." }] });
  const payload = issueComment(imitation, { number: 1, title: "Say hello more warmly" }, github, "@patchbay [[script:tr-signatures]] look at the greeting");
  const deliveryId = randomUUID();

  const unsigned = await deliver(environment.id, "issue_comment", payload, { secret: null, deliveryId });
  expect(unsigned.status).toBe(401);
  const forged = await deliver(environment.id, "issue_comment", payload, { secret: "not-the-environments-secret", deliveryId: randomUUID() });
  expect(forged.status).toBe(401);
  // GitHub's settings start with a form-encoded content type: the answer (in GitHub's delivery log) says which one to pick.
  const form = await deliver(environment.id, "issue_comment", payload, { secret, form: true });
  expect(form).toEqual({
    status: 400,
    body: { error: { code: "bad_request", message: "The delivery is not JSON; set the webhook's content type to application/json." } },
  });
  const refused = await listTriggers(owner.id, { environmentId: environment.id });
  expect(refused.map(({ status, reason, event }) => ({ status, reason, event }))).toEqual([
    { status: "refused", reason: "bad signature: it does not match the environment's webhook secret", event: "issue_comment" },
    { status: "refused", reason: "missing signature: the delivery has no X-Hub-Signature-256 header", event: "issue_comment" },
  ]);
  expect(refused.every((trigger) => trigger.taskId === null && !trigger.retryable)).toBe(true);
  expect(await tasksIn(environment.id)).toBe(0);

  // The genuine delivery takes its own id (the unsigned one under that id did not take its place).
  const accepted = await deliver(environment.id, "issue_comment", payload, { secret, deliveryId });
  expect(accepted).toEqual({ status: 202, body: { trigger: expect.any(String), status: "received" } });
  const triggerId = accepted.body.trigger ?? "";
  const started = await triggerWhen(owner.id, triggerId, "a task started", (trigger) => trigger.taskId !== null);
  // GitHub delivers again (a timeout on its side, or "Redeliver"): the same id finds the same trigger.
  const again = await deliver(environment.id, "issue_comment", payload, { secret, deliveryId });
  expect(again).toEqual({ status: 200, body: { trigger: triggerId, status: expect.any(String), duplicate: true } });
  const done = await triggerWhen(owner.id, triggerId, "done and answered", (trigger) => trigger.status === "done" && replySent("finished")(trigger));
  expect(done.taskId).toBe(started.taskId);
  expect(await tasksIn(environment.id)).toBe(1);
  expect(await db().trigger.count({ where: { environmentId: environment.id } })).toBe(3);
  expect(imitation.violations()).toEqual([]);
});

it("starts a task for the owner's @patchbay in an issue, answers in the issue, and opens the pull request that closes it", async () => {
  const { imitation, owner, github, environment, secret } = await webhookEnvironment("tr-mention");
  // Not only ASCII: GitHub signs the UTF-8 bytes it sends.
  const title = "The greeting is flat — „Hallo“ 👋";
  const issue = imitation.createIssue(REPOSITORY, { title, body: "It should end with an exclamation mark." });
  expect(issue.number).toBe(1);
  scripted.model.registerScript("tr-mention", {
    steps: [
      { calls: [{ name: "apply_patch", arguments: { patch: addExclamation } }] },
      { say: "The greeting now ends with an exclamation mark, as @patchbay was asked." },
    ],
  });
  const payload = issueComment(
    imitation,
    { number: issue.number, title, body: "It should end with an exclamation mark." },
    github,
    "Thanks for the report.\n\n@patchbay [[script:tr-mention]] add the exclamation mark",
  );

  const accepted = await deliver(environment.id, "issue_comment", payload, { secret });
  expect(accepted.status).toBe(202);
  const triggerId = accepted.body.trigger ?? "";
  const done = await triggerWhen(owner.id, triggerId, "done and answered", (trigger) => trigger.status === "done" && replySent("finished")(trigger));

  // The task ran the request with the issue's words, for the owner.
  const task = await getTask(owner.id, done.taskId ?? "");
  expect(task.status).toBe("completed");
  const prompt = (await db().task.findUniqueOrThrow({ where: { id: task.id }, select: { prompt: true } })).prompt;
  expect(prompt).toContain("add the exclamation mark");
  expect(prompt).toContain(`issue #1 "${title}"`);
  expect(prompt).toContain("It should end with an exclamation mark.");
  // Issues and pull requests share GitHub's numbers: the pull request is #2, and closes #1 when merged.
  const [pull, ...others] = imitation.pullRequests(REPOSITORY);
  expect(others).toEqual([]);
  expect(pull).toMatchObject({ number: 2, base: "main", state: "open" });
  expect(pull?.body).toContain("Closes #1");

  // Two replies in the issue, by Patchbay's token, each starting with the marker that keeps them from triggering.
  const [startedReply, finishedReply, ...more] = imitation.issueComments(REPOSITORY, issue.number);
  expect(more).toEqual([]);
  expect(startedReply?.body).toBe(`${MARKER}\nStarted a task for this request: ${TEST_PUBLIC_URL}/tasks/${task.id} I will answer here when it ends.`);
  expect(finishedReply?.body.startsWith(`${MARKER}\nDone: ${pull?.htmlUrl}`)).toBe(true);
  expect(finishedReply?.body).toContain("> The greeting now ends with an exclamation mark, as @patchbay was asked.");
  expect(finishedReply?.body).toContain(`[Open the task in Patchbay](${TEST_PUBLIC_URL}/tasks/${task.id})`);
  expect(imitation.issueComments(REPOSITORY, pull?.number ?? 0)).toEqual([]);
  // GitHub delivers Patchbay's own comments too: the reply quotes "@patchbay", and its marker keeps it from
  // being read as a new request (which would answer itself in a loop).
  const echo = issueComment(imitation, { number: issue.number, title }, { login: "octocat", id: 1 }, finishedReply?.body ?? "");
  expect((await deliver(environment.id, "issue_comment", echo, { secret })).body.status).toBe("ignored");

  expect(done).toMatchObject({ event: "issue_comment", actor: github.login, url: payload.comment.html_url, reason: null, retryable: false });
  expect(done.replies).toEqual([
    { kind: "started", status: "sent", attempts: 1, url: startedReply?.htmlUrl },
    { kind: "finished", status: "sent", attempts: 1, url: finishedReply?.htmlUrl },
  ]);
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
  expect(imitation.violations()).toEqual([]);
});

it("takes a @patchbay comment on a colleague's open pull request onto that PR's branch, leaving its title and description alone", async () => {
  const { imitation, gitDir, owner, github, environment, secret } = await webhookEnvironment("tr-pr-mention");
  // The colleague's branch and pull request, pushed and opened without Patchbay.
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-colleague-"));
  git(work, "clone", "-q", gitDir, ".");
  git(work, "checkout", "-q", "-b", "feature/howdy");
  writeFileSync(path.join(work, "src/greet.js"), 'export function greet(name) {\n  return "Howdy, " + name;\n}\n');
  git(work, "commit", "-q", "-am", "Howdy");
  git(work, "push", "-q", "origin", "feature/howdy");
  const colleagueHead = git(work, "rev-parse", "HEAD");
  const pull = await imitation.openPullRequest(REPOSITORY, { head: "feature/howdy", base: "main", title: "Say howdy", body: "A friendlier greeting." });
  scripted.model.registerScript("tr-pr-mention", {
    steps: [
      { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Add File: NOTES.md\n+Howdy is the greeting now.\n*** End Patch" } }] },
      { say: "Added a note about the greeting." },
    ],
  });
  const onPull = (body: string) => {
    const payload = issueComment(imitation, { number: pull.number, title: pull.title, body: "A friendlier greeting." }, github, body);
    // GitHub marks a comment on a pull request by the issue's pull_request links.
    Object.assign(payload.issue, { pull_request: { url: `${imitation.apiUrl}/repos/${REPOSITORY}/pulls/${pull.number}`, html_url: pull.htmlUrl } });
    return payload;
  };

  const accepted = await deliver(environment.id, "issue_comment", onPull("@patchbay [[script:tr-pr-mention]] add a note about the greeting"), { secret });
  expect(accepted.status).toBe(202);
  const done = await triggerWhen(
    owner.id,
    accepted.body.trigger ?? "",
    "done and answered",
    (trigger) => trigger.status === "done" && replySent("finished")(trigger),
  );

  // The task started from the PR's branch, and its change is the next commit there, on the colleague's.
  const task = await db().task.findUniqueOrThrow({ where: { id: done.taskId ?? "" }, select: { branch: true, prompt: true } });
  expect(task.branch).toBe("feature/howdy");
  expect(task.prompt).toContain(`pull request #${pull.number} "Say howdy"`);
  const tip = git(gitDir, "rev-parse", "refs/heads/feature/howdy");
  expect(git(gitDir, "rev-parse", `${tip}^`)).toBe(colleagueHead);
  expect(git(gitDir, "show", `${tip}:NOTES.md`)).toBe("Howdy is the greeting now.");
  // One pull request, still the colleague's words; no second branch or PR, no edit of the PR.
  expect(imitation.pullRequests(REPOSITORY)).toEqual([expect.objectContaining({ number: pull.number, title: "Say howdy", body: "A friendlier greeting." })]);
  expect(git(gitDir, "for-each-ref", "--format=%(refname)", "refs/heads/patchbay/")).toBe("");
  expect(imitation.requests().filter((request) => request.method === "PATCH" || (request.method === "POST" && request.path.endsWith("/pulls")))).toEqual([]);
  const [, finishedReply] = imitation.issueComments(REPOSITORY, pull.number);
  expect(finishedReply?.body.startsWith(`${MARKER}\nDone: ${pull.htmlUrl}`)).toBe(true);

  // A closed pull request takes nothing: the reply says why.
  imitation.closePullRequest(REPOSITORY, pull.number);
  const again = await deliver(environment.id, "issue_comment", onPull("@patchbay [[script:tr-pr-mention]] and another note"), { secret });
  const refused = await triggerWhen(
    owner.id,
    again.body.trigger ?? "",
    "refused and answered",
    (trigger) => trigger.status === "refused" && replySent("refused")(trigger),
  );
  expect(refused.reason).toBe(`pull request #${pull.number} is closed; mention @patchbay on an open one, or in an issue`);
  expect(imitation.issueComments(REPOSITORY, pull.number).at(-1)?.body).toBe(`${MARKER}\nNothing was started: ${refused.reason}.`);
  expect(imitation.violations()).toEqual([]);
});

it("refuses a mention from someone without a linked account and says why; once linked, Retry starts the task", async () => {
  const { imitation, owner, environment, secret } = await webhookEnvironment("tr-stranger");
  const issue = imitation.createIssue(REPOSITORY, { title: "Typo in the README" });
  const stranger = person("drive-by");
  scripted.model.registerScript("tr-stranger", { steps: [{ say: "The README reads fine." }] });
  const payload = issueComment(imitation, { number: issue.number, title: "Typo in the README" }, stranger, "@patchbay [[script:tr-stranger]] fix the typo");

  const accepted = await deliver(environment.id, "issue_comment", payload, { secret });
  const triggerId = accepted.body.trigger ?? "";
  const refused = await triggerWhen(owner.id, triggerId, "refused and answered", (trigger) => trigger.status === "refused" && replySent("refused")(trigger));
  const why = "user not allowed: drive-by has no Patchbay account linked to this GitHub account (sign in to Patchbay with GitHub once)";
  expect(refused).toMatchObject({ reason: why, taskId: null, retryable: true });
  expect(imitation.issueComments(REPOSITORY, issue.number).map((comment) => comment.body)).toEqual([`${MARKER}\nNothing was started: ${why}.`]);
  expect(await tasksIn(environment.id)).toBe(0);
  // Asking again in the same thread is refused too, without a second reply: passers-by on a public
  // repository cannot make Patchbay answer every comment.
  const again = issueComment(imitation, { number: issue.number, title: "Typo in the README" }, stranger, "@patchbay [[script:tr-stranger]] please?");
  const second = (await deliver(environment.id, "issue_comment", again, { secret })).body.trigger ?? "";
  const quiet = await triggerWhen(owner.id, second, "refused", (trigger) => trigger.status === "refused");
  expect(quiet).toMatchObject({ reason: why, replies: [] });
  expect(stepNames(quiet)).toEqual(["received", "verified", "queued", "refused"]);

  // The owner links that GitHub account (as signing in with it does) and retries from the inbox.
  await db().user.update({ where: { id: owner.id }, data: { githubId: String(stranger.id) } });
  const retried = await retryTrigger(owner.id, triggerId);
  expect(retried).toMatchObject({ status: "received", reason: null });
  const done = await triggerWhen(owner.id, triggerId, "done and answered", (trigger) => trigger.status === "done" && replySent("finished")(trigger));
  expect(done.taskId).not.toBeNull();
  expect(await tasksIn(environment.id)).toBe(1);
  const bodies = imitation.issueComments(REPOSITORY, issue.number).map((comment) => comment.body);
  expect(bodies).toHaveLength(3);
  expect(bodies[1]).toContain(`${TEST_PUBLIC_URL}/tasks/${done.taskId}`);
  expect(bodies[2]).toContain("Finished without changing any files.");
  // The inbox shows this run's replies; the refusal is in the thread and in the steps.
  expect(done.replies.map(({ kind, status }) => `${kind}: ${status}`)).toEqual(["started: sent", "finished: sent"]);
  expect(stepNames(done)).toEqual([
    "received",
    "verified",
    "queued",
    "refused",
    "replied: refused",
    "retried",
    "matched",
    "started",
    "replied: started",
    "finished",
    "replied: finished",
  ]);
  expect(imitation.violations()).toEqual([]);
});

it("answers a mention whose task failed with the error, and Retry runs it again", async () => {
  const { imitation, owner, github, environment, secret } = await webhookEnvironment("tr-fails");
  const issue = imitation.createIssue(REPOSITORY, { title: "Greeting is wrong" });
  // The model refuses Patchbay's key: the attempt fails.
  scripted.model.registerScript("tr-fails", { steps: [{ fault: "http-401" }] });
  const payload = issueComment(imitation, { number: issue.number, title: "Greeting is wrong" }, github, "@patchbay [[script:tr-fails]] fix the greeting");
  const triggerId = (await deliver(environment.id, "issue_comment", payload, { secret })).body.trigger ?? "";
  const failed = await triggerWhen(owner.id, triggerId, "failed and answered", (trigger) => trigger.status === "failed" && replySent("finished")(trigger));
  const attempt = await db().attempt.findFirstOrThrow({ where: { turn: { taskId: failed.taskId ?? "" } }, select: { status: true, error: true } });
  expect(attempt.status).toBe("failed");
  expect(failed).toMatchObject({ reason: `failed: ${attempt.error}`, retryable: true });
  expect(stepNames(failed)).toEqual(["received", "verified", "queued", "matched", "started", "replied: started", "finished", "replied: finished"]);
  const [, finished] = imitation.issueComments(REPOSITORY, issue.number);
  expect(finished?.body).toBe(`${MARKER}\nThe task did not finish: ${attempt.error}\n\n[Open the task in Patchbay](${TEST_PUBLIC_URL}/tasks/${failed.taskId})`);
  expect(imitation.pullRequests(REPOSITORY)).toEqual([]);

  // The key is fixed; Retry starts a new task from the same delivery, and answers again.
  scripted.model.registerScript("tr-fails", { steps: [{ say: "The greeting is right as it is." }] });
  await retryTrigger(owner.id, triggerId);
  const done = await triggerWhen(owner.id, triggerId, "done and answered again", (trigger) => trigger.status === "done" && replySent("finished")(trigger));
  expect(done.taskId).not.toBe(failed.taskId);
  expect(await tasksIn(environment.id)).toBe(2);
  const bodies = imitation.issueComments(REPOSITORY, issue.number).map((comment) => comment.body);
  expect(bodies).toHaveLength(4);
  expect(bodies[2]).toContain(`${TEST_PUBLIC_URL}/tasks/${done.taskId}`);
  expect(bodies[3]).toContain("> The greeting is right as it is.");
  expect(done.replies.map(({ kind, status, attempts }) => ({ kind, status, attempts }))).toEqual([
    { kind: "started", status: "sent", attempts: 1 },
    { kind: "finished", status: "sent", attempts: 1 },
  ]);
  expect(imitation.violations()).toEqual([]);
});

it("refuses a request too long for a task, and says so in the issue", async () => {
  const { imitation, owner, github, environment, secret } = await webhookEnvironment("tr-long");
  const issue = imitation.createIssue(REPOSITORY, { title: "Crash on start" });
  // GitHub takes comments of up to 65,536 characters; a pasted stack trace makes a request longer than a
  // task's prompt may be (PATCHBAY_MAX_PROMPT_BYTES, 32 KiB by default).
  const trace = Array.from({ length: 1000 }, (_, index) => `    at frame${index} (src/greet.js:2:10)`).join("\n");
  const body = `@patchbay fix this crash:\n\n\`\`\`\n${trace}\n\`\`\``;
  expect(body.length).toBeGreaterThan(32 * 1024);
  expect(body.length).toBeLessThanOrEqual(65_536);

  const triggerId = (
    await deliver(environment.id, "issue_comment", issueComment(imitation, { number: issue.number, title: "Crash on start" }, github, body), { secret })
  ).body.trigger;
  const refused = await triggerWhen(owner.id, triggerId ?? "", "refused and answered", replySent("refused"), 60_000);
  const why = "not accepted: Prompt is larger than 32 KiB; shorten it or put the details in a file in the repository.";
  expect(refused).toMatchObject({ status: "refused", reason: why, taskId: null, retryable: false });
  expect(imitation.issueComments(REPOSITORY, issue.number).map((comment) => comment.body)).toEqual([`${MARKER}\nNothing was started: ${why}`]);
  expect(await tasksIn(environment.id)).toBe(0);
  expect(imitation.violations()).toEqual([]);
});

it("reviews a pull request when it is opened, posting only findings at least as severe as the setting, and skips what the filters exclude", async () => {
  const { imitation, gitDir, owner, environment, secret } = await webhookEnvironment("tr-review");
  // Colleagues' branches, pushed to GitHub without Patchbay.
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-colleague-"));
  git(work, "clone", "-q", gitDir, ".");
  const branch = (name: string, file: string, content: string) => {
    git(work, "checkout", "-q", "-b", name, "main");
    writeFileSync(path.join(work, file), content);
    git(work, "commit", "-q", "-am", name);
    git(work, "push", "-q", "origin", name);
    return git(work, "rev-parse", "HEAD");
  };
  const greeting = branch("feature/howdy", "src/greet.js", 'export function greet(name) {\n  return "Howdy, " + name;\n}\n');
  const docs = branch("docs/readme", "README.md", "# Fixture app\n\nGreets people.\n");
  const draft = branch("feature/draft", "src/greet.js", 'export function greet(name) {\n  return "Hi, " + name;\n}\n');
  const bump = branch("deps/bump", "src/greet.js", 'export function greet(name) {\n  return "Hello, " + String(name);\n}\n');
  const own = branch("patchbay/tidy-greeting-1a2b3c", "src/greet.js", 'export function greet(name) {\n  return "Hello, " + name + ".";\n}\n');
  const pull = await imitation.openPullRequest(REPOSITORY, { head: "feature/howdy", base: "main", title: "Say howdy" });

  // An automatic review's request is Patchbay's own ("Review the change of pull request #1."), with no
  // script marker: the scripted model answers it with its default script, which this file's model replaces.
  scripted.model.registerScript("demo", {
    steps: [
      { calls: [{ name: "shell", arguments: { command: "git diff" } }] },
      {
        calls: [
          { name: "report_finding", arguments: finding("P1", "src/greet.js", 2, "Informal greeting", "The product speaks formally.") },
          { name: "report_finding", arguments: finding("P2", "README.md", 1, "README not updated", "The README still says hello.") },
          { name: "report_finding", arguments: finding("P3", "src/greet.js", 1, "Name the parameter", "A nit below the threshold.") },
        ],
      },
      { say: "One wording problem." },
    ],
  });
  const openedEvent = pullRequestEvent(imitation, "opened", pull, { headSha: greeting, author: "colleague" });
  // Automatic review is off until it is turned on.
  const off = await deliver(environment.id, "pull_request", openedEvent, { secret });
  expect(await triggerWhen(owner.id, off.body.trigger ?? "", "ignored", (trigger) => trigger.status !== "received")).toMatchObject({
    status: "ignored",
    reason: "automatic review is off for this environment",
  });
  await updateAutoReview(owner.id, environment.id, {
    autoReview: { enabled: true, branches: ["main"], paths: ["src/**"], skipAuthors: ["dependabot[bot]"], minSeverity: "P2" },
  });
  const opened = await deliver(environment.id, "pull_request", openedEvent, { secret });
  expect(opened.status).toBe(202);
  const reviewed = await triggerWhen(
    owner.id,
    opened.body.trigger ?? "",
    "the review posted",
    (trigger) => trigger.status !== "started" && trigger.status !== "received",
  );
  expect(reviewed).toMatchObject({ status: "done", event: "pull_request", actor: "colleague", url: pull.htmlUrl, reason: null });
  expect(stepNames(reviewed)).toEqual(["received", "verified", "queued", "started", "finished", "posting review", "review posted"]);

  // The review task saw every finding; the posted review has those at P2 or above, at the head it read.
  const review = await getTask(owner.id, reviewed.taskId ?? "");
  expect(review).toMatchObject({ mode: "review", reviewPullRequest: pull.number });
  expect(review.attempt?.findings.map((entry) => entry.severity)).toEqual(["P1", "P2", "P3"]);
  const [posted, ...otherReviews] = imitation.reviews(REPOSITORY, pull.number);
  expect(otherReviews).toEqual([]);
  expect(posted).toMatchObject({ commitId: greeting, event: "COMMENT" });
  expect(posted?.comments.map((comment) => [comment.path, comment.line, comment.body.split("\n")[0]])).toEqual([
    ["src/greet.js", 2, "**P1: Informal greeting**"],
  ]);
  expect(posted?.body).toContain("Patchbay review: 2 finding(s).");
  expect(posted?.body).toContain("README not updated");
  expect(posted?.body).not.toContain("Name the parameter");
  expect(reviewed.steps.at(-1)?.detail).toBe(`${imitation.url}/acme/web/pull/${pull.number}#pullrequestreview-${posted?.id}`);

  // Each of these is recorded and ignored, with its reason, and starts no review.
  const ignoredFor = async (event: ReturnType<typeof pullRequestEvent>) => {
    const delivered = await deliver(environment.id, "pull_request", event, { secret });
    expect(delivered.status).toBe(202);
    const trigger = await triggerWhen(owner.id, delivered.body.trigger ?? "", "ignored", (entry) => entry.status !== "received");
    expect(trigger).toMatchObject({ status: "ignored", taskId: null, retryable: false });
    return trigger.reason;
  };
  // The same head again, in another delivery (a synchronize that moved nothing, a second webhook on the repository).
  expect(await ignoredFor(pullRequestEvent(imitation, "synchronize", pull, { headSha: greeting, author: "colleague" }))).toBe(
    `commit ${greeting.slice(0, 7)} was reviewed already`,
  );
  const toOther = await imitation.openPullRequest(REPOSITORY, { head: "feature/howdy", base: "feature/other", title: "Howdy on the other branch" });
  expect(await ignoredFor(pullRequestEvent(imitation, "opened", toOther, { headSha: greeting, author: "colleague" }))).toBe(
    "its base branch feature/other matches none of main",
  );
  const docsPull = await imitation.openPullRequest(REPOSITORY, { head: "docs/readme", base: "main", title: "Describe the app" });
  expect(await ignoredFor(pullRequestEvent(imitation, "opened", docsPull, { headSha: docs, author: "colleague" }))).toBe("it changes none of src/**");
  const draftPull = await imitation.openPullRequest(REPOSITORY, { head: "feature/draft", base: "main", title: "Say hi", draft: true });
  expect(await ignoredFor(pullRequestEvent(imitation, "opened", draftPull, { headSha: draft, author: "colleague", draft: true }))).toBe(
    "the pull request is a draft",
  );
  const botPull = await imitation.openPullRequest(REPOSITORY, { head: "deps/bump", base: "main", title: "Bump" });
  expect(await ignoredFor(pullRequestEvent(imitation, "opened", botPull, { headSha: bump, author: "dependabot[bot]" }))).toBe(
    "its author dependabot[bot] is skipped",
  );
  // Patchbay's own pull requests: reviewing them would answer its own work in a loop.
  const ownPull = await imitation.openPullRequest(REPOSITORY, { head: "patchbay/tidy-greeting-1a2b3c", base: "main", title: "Tidy the greeting" });
  expect(await ignoredFor(pullRequestEvent(imitation, "opened", ownPull, { headSha: own, author: "octocat" }))).toBe("the pull request is Patchbay's own");
  expect(await tasksIn(environment.id, "review")).toBe(1);

  // The draft, once ready for review, is reviewed: being skipped as a draft did not count as reviewed.
  const readyEvent = pullRequestEvent(imitation, "ready_for_review", draftPull, { headSha: draft, author: "colleague" });
  const ready = await deliver(environment.id, "pull_request", readyEvent, { secret });
  const readyReviewed = await triggerWhen(
    owner.id,
    ready.body.trigger ?? "",
    "the review posted",
    (trigger) => !["received", "started"].includes(trigger.status),
  );
  expect(readyReviewed).toMatchObject({ status: "done", reason: null });
  expect(imitation.reviews(REPOSITORY, draftPull.number).map((entry) => entry.commitId)).toEqual([draft]);
  // The path filter read the docs pull request's files from GitHub.
  expect(
    imitation
      .requests()
      .filter((request) => request.path.endsWith("/files"))
      .map((request) => `${request.path} ${request.status}`),
  ).toContain(`/repos/acme/web/pulls/${docsPull.number}/files 200`);
  expect(imitation.violations()).toEqual([]);
});

const finding = (severity: string, file: string, line: number, title: string, explanation: string) => ({
  severity,
  path: file,
  start_line: line,
  end_line: line,
  title,
  explanation,
});

it("keeps a reply GitHub fails to take pending with its attempts and error, and sends it on a later try", async () => {
  const { imitation, owner, environment, secret } = await webhookEnvironment("tr-outbox");
  const issue = imitation.createIssue(REPOSITORY, { title: "Something" });
  // GitHub's front end fails the first two comments.
  imitation.failNext("issues/create-comment", 2, 502);
  const payload = issueComment(imitation, { number: issue.number, title: "Something" }, person("passer-by"), "@patchbay do something");

  const triggerId = (await deliver(environment.id, "issue_comment", payload, { secret })).body.trigger ?? "";
  const pending = await triggerWhen(owner.id, triggerId, "the reply pending", (trigger) => trigger.replies.some((reply) => reply.status === "pending"), 60_000);
  expect(pending.status).toBe("refused");
  expect(pending.replies).toEqual([
    { kind: "refused", status: "pending", attempts: expect.any(Number), error: "GitHub answered 502 when asked to comment (Server Error)." },
  ]);
  expect(pending.replies[0]?.attempts).toBeLessThan(3);
  expect(stepNames(pending)).not.toContain("replied: refused");

  const sent = await triggerWhen(owner.id, triggerId, "the reply sent", replySent("refused"), 60_000);
  const [comment, ...others] = imitation.issueComments(REPOSITORY, issue.number);
  expect(others).toEqual([]);
  expect(sent.replies).toEqual([{ kind: "refused", status: "sent", attempts: 3, url: comment?.htmlUrl }]);
  expect(imitation.requests().map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
    `POST /repos/acme/web/issues/${issue.number}/comments 502`,
    `POST /repos/acme/web/issues/${issue.number}/comments 502`,
    `POST /repos/acme/web/issues/${issue.number}/comments 201`,
  ]);

  // GitHub refusing the comment itself (403: a token without the Issues permission) fails the reply at
  // once rather than after every try; Retry runs the refusal again, which answers again.
  const other = imitation.createIssue(REPOSITORY, { title: "Something else" });
  imitation.failNext("issues/create-comment", 1, 403);
  const otherComment = issueComment(imitation, { number: other.number, title: "Something else" }, person("passer-by-two"), "@patchbay do it");
  const refusedId = (await deliver(environment.id, "issue_comment", otherComment, { secret })).body.trigger ?? "";
  const failed = await triggerWhen(owner.id, refusedId, "the reply failed", (trigger) => trigger.replies.some((reply) => reply.status === "failed"), 60_000);
  expect(failed.replies).toEqual([{ kind: "refused", status: "failed", attempts: 1, error: expect.stringContaining("GitHub answered 403") }]);
  expect(failed.retryable).toBe(true);
  await retryTrigger(owner.id, refusedId);
  await triggerWhen(owner.id, refusedId, "the reply sent on retry", replySent("refused"), 60_000);
  expect(imitation.issueComments(REPOSITORY, other.number)).toHaveLength(1);
  expect(imitation.violations()).toEqual([]);
});

it("answers GitHub's ping and Patchbay's test event, both shown done in the inbox", async () => {
  const { imitation, owner, environment, secret } = await webhookEnvironment("tr-ping");
  // GitHub pings a webhook as soon as it is created.
  const ping = await deliver(environment.id, "ping", onImitation(imitation, examplesOf("ping")[0]), { secret });
  expect(ping).toEqual({ status: 202, body: { trigger: expect.any(String), status: "done" } });

  const test = await sendTestEvent(owner.id, environment.id);
  expect(test).toEqual({ status: 202, body: { trigger: expect.any(String), status: "done" } });
  const inbox = await listTriggers(owner.id, { environmentId: environment.id });
  expect(inbox.map(({ id, event, status, summary, reason, retryable }) => ({ id, event, status, summary, reason, retryable }))).toEqual([
    { id: test.body.trigger, event: "ping", status: "done", summary: "ping: the webhook is set up", reason: null, retryable: false },
    { id: ping.body.trigger, event: "ping", status: "done", summary: "ping: the webhook is set up", reason: null, retryable: false },
  ]);
  expect(imitation.requests()).toEqual([]);

  // A new secret: deliveries signed with the old one are refused. Turned off: the address takes nothing.
  const renewed = await enableWebhook(owner.id, environment.id, {});
  expect(renewed.secret).not.toBe(secret);
  expect((await deliver(environment.id, "ping", { zen: "Keep it logically awesome.", hook_id: 1 }, { secret })).status).toBe(401);
  expect((await deliver(environment.id, "ping", { zen: "Keep it logically awesome.", hook_id: 1 }, { secret: renewed.secret })).status).toBe(202);
  await disableWebhook(owner.id, environment.id);
  const off = await deliver(environment.id, "ping", { zen: "Keep it logically awesome.", hook_id: 1 }, { secret: renewed.secret });
  expect(off).toEqual({ status: 404, body: { error: expect.objectContaining({ message: "No webhook is set up at this address." }) } });
  expect(imitation.violations()).toEqual([]);
});
