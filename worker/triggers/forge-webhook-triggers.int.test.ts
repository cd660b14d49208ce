// GitLab and Gitea/Forgejo webhook triggers end to end: GitLab's own example payloads (its "Webhook events"
// docs, test/fixtures/gitlab) and Gitea's hook.go payloads (test/fixtures/gitea), rewritten to the imitation's
// acme/web and the test's people, proven as each forge proves them (GitLab's X-Gitlab-Token, Gitea's
// X-Gitea-Signature) and delivered to each forge's route; the real queue and worker act on them, and the
// replies and reviews go back to the imitations through gitbeaker and gitea-js, every request held to the
// forge's documented API.
import { afterEach, beforeAll, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import { POST as deliverToGitea } from "@/app/api/v1/webhooks/gitea/[environmentId]/route";
import { POST as deliverToGitLab } from "@/app/api/v1/webhooks/gitlab/[environmentId]/route";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { signGiteaDelivery } from "@/lib/triggers/forge-proofs";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { enableWebhook, listTriggers, retryTrigger, sendTestEvent, type TriggerDto, updateAutoReview } from "@/lib/triggers/triggers";
import mergeRequestOpen from "@/test/fixtures/gitlab/merge-request-open.docs.json";
import noteOnIssue from "@/test/fixtures/gitlab/note-issue.docs.json";
import { giteaIssueComment, giteaPullRequest, giteaUser } from "@/test/fixtures/gitea/payloads";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { type GiteaImitation, startGiteaImitation } from "@/test/support/gitea-imitation";
import { type GitLabImitation, startGitLabImitation } from "@/test/support/gitlab-imitation";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, TEST_PUBLIC_URL } from "@/test/support/test-worker";
import { triggerWhen, replySent } from "@/test/support/trigger-inbox";

const scripted = useScriptedWorker();
const GITLAB_TOKEN = "glpat-imitationToken0123456789";
const GITEA_TOKEN = "gitea-imitation-token-0123456789abcdef";
const REPOSITORY = "acme/web";
const MARKER = "<!-- patchbay -->";
/** The environment's owner's login on the forge, as they set it on the environment page. */
const OWNER_LOGIN = "Owner-Login";

let repo: FixtureRepo;
const closers: { close(): Promise<void> }[] = [];

beforeAll(() => {
  repo = createFixtureRepo();
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((imitation) => imitation.close()));
});

const addExclamation = '*** Begin Patch\n*** Update File: src/greet.js\n@@\n-  return "Hello, " + name;\n+  return "Hello, " + name + "!";\n*** End Patch';

/** An environment on `forge`'s imitation of acme/web, with its webhook on and the owner's login set. */
async function webhookEnvironment<I extends GitLabImitation | GiteaImitation>(name: string, imitation: I, kind: "gitlab" | "gitea", token: string) {
  closers.push(imitation);
  const remote = await imitation.createRepository(REPOSITORY, repo.dir);
  const owner = await createUser();
  const environment = await createEnvironment(owner.id, {
    name,
    repoUrl: remote.cloneUrl,
    repoCredential: { kind: "token", token },
    forge: { kind, url: imitation.url, token },
  });
  const webhook = await enableWebhook(owner.id, environment.id, { forgeLogin: OWNER_LOGIN });
  return { imitation, gitDir: remote.gitDir, owner, environment, secret: webhook.secret, webhook };
}

const gitlabEnvironment = async (name: string) => webhookEnvironment(name, await startGitLabImitation({ token: GITLAB_TOKEN }), "gitlab", GITLAB_TOKEN);
const giteaEnvironment = async (name: string) => webhookEnvironment(name, await startGiteaImitation({ token: GITEA_TOKEN }), "gitea", GITEA_TOKEN);

type Answer = { status: number; body: { trigger?: string; status?: string; duplicate?: true; error?: { message: string } } };

/** Delivers `payload` to the GitLab route as GitLab does: the secret token itself in X-Gitlab-Token (null: none). */
async function deliverGitLab(
  environmentId: string,
  event: string,
  payload: unknown,
  options: { token: string | null; idempotencyKey?: string },
): Promise<Answer> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitLab/18.0.0",
    "x-gitlab-event": event,
    "x-gitlab-event-uuid": randomUUID(),
    "x-gitlab-webhook-uuid": randomUUID(),
    "x-gitlab-instance": "http://127.0.0.1",
    "idempotency-key": options.idempotencyKey ?? randomUUID(),
  };
  if (options.token !== null) headers["x-gitlab-token"] = options.token;
  const response = await deliverToGitLab(
    new NextRequest(`http://localhost/api/v1/webhooks/gitlab/${environmentId}`, { method: "POST", body: JSON.stringify(payload), headers }),
    { params: Promise.resolve({ environmentId }) },
  );
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** Delivers `payload` to the Gitea route as Gitea does: X-Gitea-Signature, the hex HMAC of the body (null: unsigned). */
async function deliverGitea(environmentId: string, event: string, payload: unknown, options: { secret: string | null; deliveryId?: string }): Promise<Answer> {
  const rawBody = JSON.stringify(payload);
  const deliveryId = options.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-gitea-delivery": deliveryId,
    "x-gitea-event": event,
    "x-gitea-event-type": event,
    "x-gogs-delivery": deliveryId,
    "x-gogs-event": event,
  };
  if (options.secret !== null) headers["x-gitea-signature"] = signGiteaDelivery(options.secret, rawBody);
  const response = await deliverToGitea(
    new NextRequest(`http://localhost/api/v1/webhooks/gitea/${environmentId}`, { method: "POST", body: rawBody, headers }),
    {
      params: Promise.resolve({ environmentId }),
    },
  );
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

const settled = (trigger: TriggerDto) => !["received", "started"].includes(trigger.status);
const tasksIn = (environmentId: string, mode?: "code" | "review") => db().task.count({ where: { environmentId, ...(mode ? { mode } : {}) } });

// ---------------------------------------------------------------------------------------------------------
// GitLab's example payloads, rewritten to the imitation.

/** A docs example with its project (gitlab-org/gitlab-test, gitlabhq/gitlab-test) and host the imitation's acme/web. */
function onGitLab<T>(imitation: GitLabImitation, payload: T): T {
  const text = JSON.stringify(payload)
    .replaceAll("http://example.com", imitation.url)
    .replaceAll(/gitlab-org\/gitlab-test|gitlabhq\/gitlab-test/g, REPOSITORY);
  return JSON.parse(text) as T;
}

let nextNoteId = 3_000_001;

/** `username` comments `body` on issue `iid` (GitLab's "Comment on an issue" example). */
function gitlabIssueNote(imitation: GitLabImitation, issue: { iid: number; title: string; description?: string }, username: string, body: string) {
  const payload = onGitLab(imitation, noteOnIssue);
  const id = nextNoteId++;
  Object.assign(payload.user, { username, name: username, id: 500 + username.length });
  Object.assign(payload.object_attributes, { id, note: body, url: `${imitation.url}/${REPOSITORY}/-/issues/${issue.iid}#note_${id}` });
  Object.assign(payload.issue, { iid: issue.iid, title: issue.title, description: issue.description ?? "", state: "opened" });
  return payload;
}

/** GitLab's "Merge request events" example for merge request `iid` at `headSha`, `action` by `username`. */
function gitlabMergeRequestEvent(
  imitation: GitLabImitation,
  mergeRequest: { iid: number; sourceBranch: string; targetBranch: string; title: string },
  input: { action: "open" | "update"; headSha: string; username: string; draft?: boolean },
) {
  const payload = onGitLab(imitation, mergeRequestOpen);
  Object.assign(payload.user, { username: input.username, name: input.username });
  Object.assign(payload.object_attributes, {
    iid: mergeRequest.iid,
    title: mergeRequest.title,
    action: input.action,
    source_branch: mergeRequest.sourceBranch,
    target_branch: mergeRequest.targetBranch,
    source_project_id: payload.project.id,
    target_project_id: payload.project.id,
    draft: input.draft ?? false,
    work_in_progress: input.draft ?? false,
    url: `${imitation.url}/${REPOSITORY}/-/merge_requests/${mergeRequest.iid}`,
  });
  Object.assign(payload.object_attributes.last_commit, { id: input.headSha });
  // The docs' example was marked ready (changes.draft true → false); these events change nothing but the code.
  payload.changes = {} as typeof payload.changes;
  if (input.action === "update") Object.assign(payload.object_attributes, { oldrev: "0".repeat(40) });
  return payload;
}

/** A colleague's branches pushed to the forge without Patchbay; returns each branch's head. */
function colleagueBranches(gitDir: string) {
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-colleague-"));
  git(work, "clone", "-q", gitDir, ".");
  return (name: string, file: string, content: string) => {
    git(work, "checkout", "-q", "-b", name, "main");
    writeFileSync(path.join(work, file), content);
    git(work, "commit", "-q", "-am", name);
    git(work, "push", "-q", "origin", name);
    return git(work, "rev-parse", "HEAD");
  };
}

const finding = (severity: string, file: string, line: number, title: string) => ({
  severity,
  path: file,
  start_line: line,
  end_line: line,
  title,
  explanation: `${title}.`,
});

/** The scripted model's answer to an automatic review's request (which carries no script marker). */
function registerReviewScript() {
  scripted.model.registerScript("demo", {
    steps: [
      { calls: [{ name: "shell", arguments: { command: "git diff" } }] },
      {
        calls: [
          { name: "report_finding", arguments: finding("P1", "src/greet.js", 2, "Informal greeting") },
          { name: "report_finding", arguments: finding("P3", "src/greet.js", 1, "Name the parameter") },
        ],
      },
      { say: "One wording problem." },
    ],
  });
}

it("GitLab: refuses a delivery without the secret token, takes a mention in an issue once, opens the merge request that closes it, and answers in the issue's notes", async () => {
  const { imitation, owner, environment, secret, webhook } = await gitlabEnvironment("fw-gitlab-mention");
  expect(webhook.url).toBe(`${process.env.PATCHBAY_PUBLIC_URL ?? "http://localhost:3000"}/api/v1/webhooks/gitlab/${environment.id}`);
  // GitLab numbers issues and merge requests apart: this is issue #1, and the merge request will be !1.
  const issue = imitation.createIssue(REPOSITORY, { title: "The greeting is flat", description: "It should end with an exclamation mark." });
  scripted.model.registerScript("fw-gitlab-mention", {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addExclamation } }] }, { say: "The greeting now ends with an exclamation mark." }],
  });
  const payload = gitlabIssueNote(
    imitation,
    { iid: issue.iid, title: "The greeting is flat", description: "It should end with an exclamation mark." },
    "owner-login",
    "@patchbay [[script:fw-gitlab-mention]] add the exclamation mark",
  );

  expect((await deliverGitLab(environment.id, "Note Hook", payload, { token: null })).status).toBe(401);
  expect((await deliverGitLab(environment.id, "Note Hook", payload, { token: `${secret.slice(0, -1)}x` })).status).toBe(401);
  const refused = await listTriggers(owner.id, { environmentId: environment.id });
  expect(refused.map(({ status, reason, event }) => ({ status, reason, event }))).toEqual([
    { status: "refused", reason: "bad token: it does not match the environment's webhook secret", event: "Note Hook" },
    { status: "refused", reason: "missing token: the delivery has no X-Gitlab-Token header", event: "Note Hook" },
  ]);
  expect(await tasksIn(environment.id)).toBe(0);

  const key = randomUUID();
  const accepted = await deliverGitLab(environment.id, "Note Hook", payload, { token: secret, idempotencyKey: key });
  expect(accepted).toEqual({ status: 202, body: { trigger: expect.any(String), status: "received" } });
  const triggerId = accepted.body.trigger ?? "";
  // GitLab retries (same Idempotency-Key), and the same note under another key: neither starts anything.
  expect(await deliverGitLab(environment.id, "Note Hook", payload, { token: secret, idempotencyKey: key })).toEqual({
    status: 200,
    body: { trigger: triggerId, status: expect.any(String), duplicate: true },
  });
  expect((await deliverGitLab(environment.id, "Note Hook", payload, { token: secret })).body).toMatchObject({ trigger: triggerId, duplicate: true });
  const done = await triggerWhen(owner.id, triggerId, "done and answered", (trigger) => trigger.status === "done" && replySent("finished")(trigger));

  const [mergeRequest, ...others] = imitation.mergeRequests(REPOSITORY);
  expect(others).toEqual([]);
  expect(mergeRequest).toMatchObject({ iid: 1, targetBranch: "main", state: "opened" });
  expect(mergeRequest?.description).toContain("Closes #1");
  // Both replies are notes on issue #1, none on merge request !1 (the same number, another series).
  const [startedNote, finishedNote, ...more] = imitation.issueNotes(REPOSITORY, issue.iid);
  expect(more).toEqual([]);
  expect(startedNote).toMatchObject({
    author: "patchbay-bot",
    body: `${MARKER}\nStarted a task for this request: ${TEST_PUBLIC_URL}/tasks/${done.taskId} I will answer here when it ends.`,
  });
  expect(finishedNote?.body.startsWith(`${MARKER}\nDone: ${mergeRequest?.webUrl}`)).toBe(true);
  expect(imitation.mergeRequestNotes(REPOSITORY, 1)).toEqual([]);
  expect(done).toMatchObject({ event: "issue_comment", actor: "owner-login", url: payload.object_attributes.url, reason: null });
  expect(done.replies).toEqual([
    { kind: "started", status: "sent", attempts: 1, url: `${imitation.url}/${REPOSITORY}/-/issues/1#note_${startedNote?.id}` },
    { kind: "finished", status: "sent", attempts: 1, url: `${imitation.url}/${REPOSITORY}/-/issues/1#note_${finishedNote?.id}` },
  ]);
  expect(await tasksIn(environment.id)).toBe(1);

  // GitLab delivers Patchbay's own notes too: the marker keeps them from being read as requests.
  const echo = gitlabIssueNote(imitation, { iid: issue.iid, title: "The greeting is flat" }, "patchbay-bot", finishedNote?.body ?? "");
  expect((await deliverGitLab(environment.id, "Note Hook", echo, { token: secret })).body.status).toBe("ignored");
  expect(imitation.violations()).toEqual([]);
});

it("GitLab: a stranger's mention gets one note saying why; without the owner's login set, the reply says where to set it", async () => {
  const { imitation, owner, environment, secret } = await gitlabEnvironment("fw-gitlab-stranger");
  const issue = imitation.createIssue(REPOSITORY, { title: "Typo" });
  const first = await deliverGitLab(
    environment.id,
    "Note Hook",
    gitlabIssueNote(imitation, { iid: issue.iid, title: "Typo" }, "drive-by", "@patchbay fix it"),
    {
      token: secret,
    },
  );
  const refused = await triggerWhen(owner.id, first.body.trigger ?? "", "refused and answered", replySent("refused"), 60_000);
  const why = "user not allowed: drive-by is not this environment's owner on GitLab (only its owner can ask Patchbay here)";
  expect(refused).toMatchObject({ status: "refused", reason: why, retryable: true });
  // Again in the same thread: refused without a second note.
  const second = await deliverGitLab(
    environment.id,
    "Note Hook",
    gitlabIssueNote(imitation, { iid: issue.iid, title: "Typo" }, "drive-by", "@patchbay please"),
    {
      token: secret,
    },
  );
  expect(await triggerWhen(owner.id, second.body.trigger ?? "", "refused", (trigger) => trigger.status === "refused")).toMatchObject({
    reason: why,
    replies: [],
  });
  expect(imitation.issueNotes(REPOSITORY, issue.iid).map((note) => note.body)).toEqual([`${MARKER}\nNothing was started: ${why}.`]);

  // The owner clears their login: even their own mention is refused, and the reply says where to set it.
  await updateAutoReview(owner.id, environment.id, { forgeLogin: "" });
  const other = imitation.createIssue(REPOSITORY, { title: "Another" });
  const own = await deliverGitLab(
    environment.id,
    "Note Hook",
    gitlabIssueNote(imitation, { iid: other.iid, title: "Another" }, "owner-login", "@patchbay go"),
    {
      token: secret,
    },
  );
  const unset = await triggerWhen(owner.id, own.body.trigger ?? "", "refused and answered", replySent("refused"), 60_000);
  expect(unset.reason).toBe(
    `user not allowed: this environment's owner has not said which GitLab login is theirs (set "Your GitLab login" with the webhook on the environment page)`,
  );
  expect(imitation.issueNotes(REPOSITORY, other.iid)).toHaveLength(1);
  expect(await tasksIn(environment.id)).toBe(0);

  // Patchbay's test event goes through the same receiver, proven with the token.
  expect(await sendTestEvent(owner.id, environment.id)).toEqual({ status: 202, body: { trigger: expect.any(String), status: "done" } });
  expect(imitation.violations()).toEqual([]);
});

it("GitLab: a reply GitLab refuses (a token that may only read) fails at once with GitLab's reason, and Retry sends it once the token is fixed", async () => {
  const readOnly = "glpat-readOnlyToken0123456789";
  const imitation = await startGitLabImitation({ token: GITLAB_TOKEN, otherTokens: { [readOnly]: ["read_api", "read_repository"] } });
  const { owner, environment, secret } = await webhookEnvironment("fw-gitlab-refused-reply", imitation, "gitlab", GITLAB_TOKEN);
  await updateEnvironment(owner.id, environment.id, { forge: { kind: "gitlab", url: imitation.url, token: readOnly } });
  const issue = imitation.createIssue(REPOSITORY, { title: "Typo" });
  const delivered = await deliverGitLab(
    environment.id,
    "Note Hook",
    gitlabIssueNote(imitation, { iid: issue.iid, title: "Typo" }, "drive-by", "@patchbay fix it"),
    {
      token: secret,
    },
  );
  const failed = await triggerWhen(owner.id, delivered.body.trigger ?? "", "its reply failed", (trigger) =>
    trigger.replies.some((reply) => reply.kind === "refused" && reply.status === "failed"),
  );
  // One try: a 403 is not something a later try changes.
  expect(failed.replies).toEqual([{ kind: "refused", status: "failed", attempts: 1, error: expect.stringMatching(/^GitLab answered 403/) }]);
  expect(failed.retryable).toBe(true);
  expect(imitation.issueNotes(REPOSITORY, issue.iid)).toEqual([]);

  await updateEnvironment(owner.id, environment.id, { forge: { kind: "gitlab", url: imitation.url, token: GITLAB_TOKEN } });
  await retryTrigger(owner.id, failed.id);
  await triggerWhen(owner.id, failed.id, "its reply sent", replySent("refused"), 60_000);
  expect(imitation.issueNotes(REPOSITORY, issue.iid)).toHaveLength(1);
  expect(imitation.violations()).toEqual([]);
});

it("GitLab: reviews a merge request when it is opened (draft notes published at once) and skips what the filters exclude", async () => {
  const { imitation, gitDir, owner, environment, secret } = await gitlabEnvironment("fw-gitlab-review");
  const branch = colleagueBranches(gitDir);
  const howdy = branch("feature/howdy", "src/greet.js", 'export function greet(name) {\n  return "Howdy, " + name;\n}\n');
  const docs = branch("docs/readme", "README.md", "# Fixture app\n\nGreets people.\n");
  const own = branch("patchbay/tidy-1a2b3c", "src/greet.js", 'export function greet(name) {\n  return "Hello, " + name + ".";\n}\n');
  const mergeRequest = await imitation.openMergeRequest(REPOSITORY, { sourceBranch: "feature/howdy", targetBranch: "main", title: "Say howdy" });
  const docsRequest = await imitation.openMergeRequest(REPOSITORY, { sourceBranch: "docs/readme", targetBranch: "main", title: "Describe the app" });
  const ownRequest = await imitation.openMergeRequest(REPOSITORY, { sourceBranch: "patchbay/tidy-1a2b3c", targetBranch: "main", title: "Tidy" });
  await updateAutoReview(owner.id, environment.id, { autoReview: { enabled: true, paths: ["src/**"], skipAuthors: ["renovate-bot"], minSeverity: "P2" } });
  registerReviewScript();

  const opened = await deliverGitLab(
    environment.id,
    "Merge Request Hook",
    gitlabMergeRequestEvent(imitation, mergeRequest, { action: "open", headSha: howdy, username: "colleague" }),
    { token: secret },
  );
  expect(opened.status).toBe(202);
  const reviewed = await triggerWhen(owner.id, opened.body.trigger ?? "", "the review posted", settled);
  expect(reviewed).toMatchObject({ status: "done", event: "pull_request", actor: "colleague", reason: null });
  const [review, ...otherReviews] = imitation.reviews(REPOSITORY, mergeRequest.iid);
  expect(otherReviews).toEqual([]);
  expect(review?.author).toBe("patchbay-bot");
  expect(review?.notes.map((note) => note.body.split("\n")[0])).toContain("**P1: Informal greeting**");
  expect(review?.notes.some((note) => note.body.includes("Name the parameter"))).toBe(false);
  expect(imitation.draftNotes(REPOSITORY, mergeRequest.iid)).toEqual([]);

  const ignoredFor = async (payload: unknown) => {
    const delivered = await deliverGitLab(environment.id, "Merge Request Hook", payload, { token: secret });
    return (await triggerWhen(owner.id, delivered.body.trigger ?? "", "settled", settled)).reason;
  };
  // A push that moved nothing (the same head) is not reviewed twice.
  expect(await ignoredFor(gitlabMergeRequestEvent(imitation, mergeRequest, { action: "update", headSha: howdy, username: "colleague" }))).toBe(
    `commit ${howdy.slice(0, 7)} was reviewed already`,
  );
  // The path filter reads the merge request's files from GitLab.
  expect(await ignoredFor(gitlabMergeRequestEvent(imitation, docsRequest, { action: "open", headSha: docs, username: "colleague" }))).toBe(
    "it changes none of src/**",
  );
  expect(await ignoredFor(gitlabMergeRequestEvent(imitation, docsRequest, { action: "update", headSha: docs, username: "renovate-bot" }))).toBe(
    "its author renovate-bot is skipped",
  );
  expect(await ignoredFor(gitlabMergeRequestEvent(imitation, docsRequest, { action: "open", headSha: docs, username: "colleague", draft: true }))).toBe(
    "the pull request is a draft",
  );
  expect(await ignoredFor(gitlabMergeRequestEvent(imitation, ownRequest, { action: "open", headSha: own, username: "patchbay-bot" }))).toBe(
    "the pull request is Patchbay's own",
  );
  expect(await tasksIn(environment.id, "review")).toBe(1);
  expect(imitation.requests().map((request) => `${request.method} ${request.path}`)).toContain(
    `GET /projects/acme%2Fweb/merge_requests/${docsRequest.iid}/diffs`,
  );
  expect(imitation.violations()).toEqual([]);
});

it("Gitea: refuses an unsigned or wrongly signed delivery, takes a mention in an issue once, opens the pull request that closes it, and answers in the issue", async () => {
  const { imitation, owner, environment, secret, webhook } = await giteaEnvironment("fw-gitea-mention");
  expect(webhook.url).toBe(`${process.env.PATCHBAY_PUBLIC_URL ?? "http://localhost:3000"}/api/v1/webhooks/gitea/${environment.id}`);
  const issue = imitation.createIssue(REPOSITORY, { title: "The greeting is flat", body: "It should end with an exclamation mark." });
  scripted.model.registerScript("fw-gitea-mention", {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addExclamation } }] }, { say: "The greeting now ends with an exclamation mark." }],
  });
  const payload = giteaIssueComment({
    base: imitation.url,
    repository: REPOSITORY,
    number: issue.number,
    title: "The greeting is flat",
    body: "It should end with an exclamation mark.",
    commentId: 4_000_001,
    comment: "@patchbay [[script:fw-gitea-mention]] add the exclamation mark",
    // The login as Gitea shows it; the owner wrote it in another case.
    author: giteaUser("owner-login", 3),
  });

  const deliveryId = randomUUID();
  expect((await deliverGitea(environment.id, "issue_comment", payload, { secret: null, deliveryId })).status).toBe(401);
  expect((await deliverGitea(environment.id, "issue_comment", payload, { secret: "not-the-secret" })).status).toBe(401);
  expect((await listTriggers(owner.id, { environmentId: environment.id })).map(({ status, reason }) => ({ status, reason }))).toEqual([
    { status: "refused", reason: "bad signature: it does not match the environment's webhook secret" },
    { status: "refused", reason: "missing signature: the delivery has no X-Gitea-Signature header" },
  ]);
  expect(await tasksIn(environment.id)).toBe(0);

  const accepted = await deliverGitea(environment.id, "issue_comment", payload, { secret, deliveryId });
  expect(accepted).toEqual({ status: 202, body: { trigger: expect.any(String), status: "received" } });
  const triggerId = accepted.body.trigger ?? "";
  expect(await deliverGitea(environment.id, "issue_comment", payload, { secret, deliveryId })).toMatchObject({
    status: 200,
    body: { trigger: triggerId, duplicate: true },
  });
  expect((await deliverGitea(environment.id, "issue_comment", payload, { secret })).body).toMatchObject({ trigger: triggerId, duplicate: true });
  const done = await triggerWhen(owner.id, triggerId, "done and answered", (trigger) => trigger.status === "done" && replySent("finished")(trigger));

  // Issues and pull requests share Gitea's numbers: the pull request is #2, and closes #1.
  const [pull, ...others] = imitation.pullRequests(REPOSITORY);
  expect(others).toEqual([]);
  expect(pull).toMatchObject({ number: 2, base: "main", state: "open" });
  expect(pull?.body).toContain("Closes #1");
  const [started, finished, ...more] = imitation.issueComments(REPOSITORY, issue.number);
  expect(more).toEqual([]);
  expect(started?.body).toBe(`${MARKER}\nStarted a task for this request: ${TEST_PUBLIC_URL}/tasks/${done.taskId} I will answer here when it ends.`);
  expect(finished?.body.startsWith(`${MARKER}\nDone: ${pull?.htmlUrl}`)).toBe(true);
  expect(done.replies).toEqual([
    { kind: "started", status: "sent", attempts: 1, url: started?.htmlUrl },
    { kind: "finished", status: "sent", attempts: 1, url: finished?.htmlUrl },
  ]);
  expect(imitation.issueComments(REPOSITORY, pull?.number ?? 0)).toEqual([]);
  expect(imitation.violations()).toEqual([]);
});

it("Gitea: a stranger's mention gets one comment saying why; a pull request opened is reviewed once and a filtered one skipped", async () => {
  const { imitation, gitDir, owner, environment, secret } = await giteaEnvironment("fw-gitea-review");
  const issue = imitation.createIssue(REPOSITORY, { title: "Typo" });
  const stranger = giteaUser("drive-by", 9);
  const comment = (id: number, text: string) =>
    giteaIssueComment({ base: imitation.url, repository: REPOSITORY, number: issue.number, title: "Typo", commentId: id, comment: text, author: stranger });
  const first = await deliverGitea(environment.id, "issue_comment", comment(4_100_001, "@patchbay fix it"), { secret });
  const refused = await triggerWhen(owner.id, first.body.trigger ?? "", "refused and answered", replySent("refused"), 60_000);
  const why = "user not allowed: drive-by is not this environment's owner on Gitea (only its owner can ask Patchbay here)";
  expect(refused.reason).toBe(why);
  const second = await deliverGitea(environment.id, "issue_comment", comment(4_100_002, "@patchbay please"), { secret });
  expect(await triggerWhen(owner.id, second.body.trigger ?? "", "refused", (trigger) => trigger.status === "refused")).toMatchObject({ replies: [] });
  expect(imitation.issueComments(REPOSITORY, issue.number).map((entry) => entry.body)).toEqual([`${MARKER}\nNothing was started: ${why}.`]);

  const branch = colleagueBranches(gitDir);
  const howdy = branch("feature/howdy", "src/greet.js", 'export function greet(name) {\n  return "Howdy, " + name;\n}\n');
  const docs = branch("docs/readme", "README.md", "# Fixture app\n\nGreets people.\n");
  const pull = await imitation.openPullRequest(REPOSITORY, { head: "feature/howdy", base: "main", title: "Say howdy", user: "colleague" });
  const docsPull = await imitation.openPullRequest(REPOSITORY, { head: "docs/readme", base: "main", title: "Describe the app", user: "colleague" });
  await updateAutoReview(owner.id, environment.id, { autoReview: { enabled: true, paths: ["src/**"], minSeverity: "P2" } });
  registerReviewScript();
  const event = (target: { number: number; head: string; title: string }, action: string, headSha: string) =>
    giteaPullRequest({
      action,
      base: imitation.url,
      repository: REPOSITORY,
      number: target.number,
      title: target.title,
      headBranch: target.head,
      headSha,
      author: giteaUser("colleague", 5),
    });

  const opened = await deliverGitea(environment.id, "pull_request", event(pull, "opened", howdy), { secret });
  const reviewed = await triggerWhen(owner.id, opened.body.trigger ?? "", "the review posted", settled);
  expect(reviewed).toMatchObject({ status: "done", event: "pull_request", actor: "colleague", reason: null });
  const [review, ...otherReviews] = imitation.reviews(REPOSITORY, pull.number);
  expect(otherReviews).toEqual([]);
  expect(review).toMatchObject({ commitId: howdy, event: "COMMENT" });
  expect(review?.comments.map((entry) => entry.body.split("\n")[0])).toEqual(["**P1: Informal greeting**"]);

  const synchronized = await deliverGitea(environment.id, "pull_request", event(pull, "synchronized", howdy), { secret });
  expect((await triggerWhen(owner.id, synchronized.body.trigger ?? "", "settled", settled)).reason).toBe(`commit ${howdy.slice(0, 7)} was reviewed already`);
  const docsOpened = await deliverGitea(environment.id, "pull_request", event(docsPull, "opened", docs), { secret });
  expect((await triggerWhen(owner.id, docsOpened.body.trigger ?? "", "settled", settled)).reason).toBe("it changes none of src/**");
  expect(await tasksIn(environment.id, "review")).toBe(1);
  expect(imitation.requests().map((request) => `${request.method} ${request.path}`)).toContain(`GET /repos/acme/web/pulls/${docsPull.number}/files`);
  expect(imitation.violations()).toEqual([]);
});
