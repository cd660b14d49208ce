// Pull requests on Gitea (and Forgejo): an imitation of a Gitea host (test/support/gitea-imitation.ts) that
// serves the REST API under /api/v1 and the repository's git over smart HTTP at /acme/web.git on one address,
// holding every request Patchbay makes to Gitea's documented operations and option types. A real task run by
// the scripted model in a sandbox, the real worker queue, the real push and gitea-js: one task = one branch =
// one pull request, which a follow-up updates; its checks, reviews and comments go through the same API.
import { afterEach, beforeAll, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createEnvironment } from "@/lib/environments/create-environment";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { pullRequestBranch } from "@/lib/pull-requests/pull-request-text";
import { getPullRequest, requestPullRequest } from "@/lib/pull-requests/pull-requests";
import { requestReviewPost } from "@/lib/reviews/review-tasks";
import { listReviewComments, requestForgeCommentImport } from "@/lib/review-comments/review-comments";
import { getTask, getTaskPatch } from "@/lib/tasks/task-queries";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { createTask } from "@/lib/tasks/create-task";
import { taskChangeSoFar } from "@/lib/tasks/earlier-turns";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { type GiteaImitation, startGiteaImitation } from "@/test/support/gitea-imitation";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, TEST_PUBLIC_URL, waitForFinishedAttempt } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";
import { addGreeting, addNotes, apiCalls, finishedTask, reviewPostOutcome, settledPullRequest } from "@/test/support/pull-request-flow";
import { refreshOpenPullRequests } from "./publish-pull-request";

const scripted = useScriptedWorker();
const execFileAsync = promisify(execFile);
const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
/** Gitea's access tokens are 40 hex digits. */
const TOKEN = "0123456789abcdef0123456789abcdef01234567";
const REPOSITORY = "acme/web";

let repo: FixtureRepo;
const imitations: GiteaImitation[] = [];

beforeAll(() => {
  repo = createFixtureRepo();
});

afterEach(async () => {
  await Promise.all(imitations.splice(0).map((imitation) => imitation.close()));
});

/** A Gitea of its own for the test, holding acme/web (a bare copy of the fixture), and an environment on it. */
async function giteaEnvironment(name: string) {
  const imitation = await startGiteaImitation({ token: TOKEN });
  imitations.push(imitation);
  const remote = await imitation.createRepository(REPOSITORY, repo.dir);
  expect(remote.cloneUrl).toBe(`${imitation.url}/acme/web.git`);
  const user = await createUser();
  const environment = await createEnvironment(user.id, {
    name,
    repoUrl: remote.cloneUrl,
    // The repository is private: the mirror reads it with a token too (the same one, as a team would).
    repoCredential: { kind: "token", token: TOKEN },
    // A Gitea connection names its server; the API is under /api/v1 of it.
    forge: { kind: "gitea", url: imitation.url, token: TOKEN },
  });
  expect(environment.forge).toEqual({ kind: "gitea", url: imitation.url });
  return { imitation, gitDir: remote.gitDir, user, environment };
}

/** Sets up a task whose PR is open on the imitation: the common start of several tests. */
async function openedPullRequest(name: string) {
  const setup = await giteaEnvironment(name);
  const task = await finishedTask(
    scripted.model,
    setup.user.id,
    setup.environment.id,
    `${name}-one`,
    addGreeting,
    "Greeting now uses a template literal.",
    "Use a template literal in greet",
  );
  const requested = await requestPullRequest(setup.user.id, task.id);
  const row = await settledPullRequest(task.id);
  expect(row).toMatchObject({ status: "open", error: null, number: 1, turns: 1 });
  return { ...setup, task, branch: requested.branch, row };
}

it("pushes the branch and opens the pull request with the task's title, the agent's summary, the files and a link back", async () => {
  const { imitation, gitDir, user, environment } = await giteaEnvironment("gitea-opens");
  const task = await finishedTask(
    scripted.model,
    user.id,
    environment.id,
    "gitea-open",
    addGreeting,
    "Greeting now uses a template literal.",
    "Use a template literal in greet",
  );

  const requested = await requestPullRequest(user.id, task.id);
  expect(requested).toMatchObject({ status: "queued", kind: "gitea", baseBranch: "main", url: null, number: null });
  expect(requested.branch).toBe(pullRequestBranch(task.title, task.id));
  const row = await settledPullRequest(task.id);

  const [pull, ...others] = imitation.pullRequests(REPOSITORY);
  expect(others).toEqual([]);
  expect(pull).toMatchObject({ number: 1, head: requested.branch, base: "main", title: task.title, state: "open", merged: false });
  // Gitea's address of a pull request: /pulls/<n>.
  expect(pull?.htmlUrl).toBe(`${imitation.url}/acme/web/pulls/1`);
  expect(row).toMatchObject({ status: "open", error: null, number: 1, url: pull?.htmlUrl, turns: 1 });
  expect(pull?.body).toContain("Greeting now uses a template literal.");
  expect(pull?.body).toContain("### Files (1)\n- `src/greet.js` (+1 −1)");
  expect(pull?.body).toContain(`(${TEST_PUBLIC_URL}/tasks/${task.id})`);
  // Gitea tests the merge while opening the PR, so its answer already says it merges cleanly.
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", number: 1, url: pull?.htmlUrl, mergeable: true, publishing: false });

  // The branch on Gitea: one commit on the base commit, with the change; Gitea keeps it as refs/pull/1/head too.
  const head = git(gitDir, "rev-parse", `refs/heads/${requested.branch}`);
  expect(head).toBe(row.headCommit);
  expect(git(gitDir, "rev-parse", `${head}^`)).toBe(repo.baseCommit);
  expect(git(gitDir, "show", `${head}:src/greet.js`)).toContain("`Hello, ${name}!`");
  expect(git(gitDir, "rev-parse", "refs/pull/1/head")).toBe(head);
  expect(git(gitDir, "rev-parse", "refs/heads/main")).toBe(repo.baseCommit);

  // It looked for a PR of the branch (an interrupted earlier publish may have opened one), then opened it.
  expect(apiCalls(imitation)).toEqual(["GET /repos/acme/web/pulls 200", "POST /repos/acme/web/pulls 201"]);
  const [list, create] = imitation.requests();
  expect(list?.query).toEqual({ state: "all", sort: "recentupdate", page: "1", limit: "50" });
  expect(create?.body).toEqual({ head: requested.branch, base: "main", title: task.title, body: pull?.body });
  expect(imitation.violations()).toEqual([]);

  // The token stayed on the worker host.
  expect(JSON.stringify(await listTaskEvents(task.id, 0n))).not.toContain(TOKEN);
  expect(JSON.stringify(scripted.model.requests())).not.toContain(TOKEN);
});

it("pushes a follow-up as the next commit of the same branch and updates the same pull request", async () => {
  const { imitation, gitDir, user, task, branch, row: first } = await openedPullRequest("gitea-follow");
  const opened = imitation.requests().length;

  scripted.model.registerScript("gitea-follow-two", {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }],
  });
  const followUp = await addFollowUp(user.id, task.id, { text: "[[script:gitea-follow-two]] Write it down in NOTES.md" });
  expect((await waitForFinishedAttempt(followUp.attemptId)).status).toBe("completed");
  const row = await settledPullRequest(task.id, (entry) => entry.turns === 2 || entry.error !== null);
  expect(row).toMatchObject({ status: "open", error: null, number: first.number, url: first.url, turns: 2 });

  // Still one PR, with the body rewritten for both requests and both files.
  const pulls = imitation.pullRequests(REPOSITORY);
  expect(pulls).toHaveLength(1);
  expect(pulls[0]).toMatchObject({ number: first.number, head: branch, state: "open" });
  const body = pulls[0]?.body ?? "";
  expect(body.startsWith("Added NOTES.md.")).toBe(true);
  expect(body).toContain(
    "### Requests\n1. [[script:gitea-follow-one]] Use a template literal in greet\n2. [[script:gitea-follow-two]] Write it down in NOTES.md",
  );
  expect(body).toContain("### Files (2)");

  // The branch grew by one commit on top of the first.
  const second = git(gitDir, "rev-parse", `refs/heads/${branch}`);
  expect(second).toBe(row.headCommit);
  expect(git(gitDir, "rev-parse", `${second}^`)).toBe(first.headCommit);
  expect(git(gitDir, "diff", "--name-only", first.headCommit ?? "", second)).toBe("NOTES.md");
  // Whoever fetches the PR's ref from Gitea gets its new head (git runs beside the imitation, not blocking it).
  const authenticated = imitation.url.replace("http://", `http://oauth2:${TOKEN}@`);
  const { stdout } = await execFileAsync("git", ["ls-remote", `${authenticated}/acme/web.git`, "refs/pull/1/head"], { env: gitEnv });
  expect(stdout.trim()).toBe(`${second}\trefs/pull/1/head`);

  // The PR's number was known: its state is read (a merged PR takes no more commits), then one PATCH, which
  // Gitea answers with 201; no search and no second POST.
  expect(apiCalls(imitation).slice(opened)).toEqual([`GET /repos/acme/web/pulls/${first.number} 200`, `PATCH /repos/acme/web/pulls/${first.number} 201`]);
  expect(imitation.requests().at(-1)?.body).toEqual({ title: task.title, body });
  expect(imitation.requests().filter((request) => request.method === "POST")).toHaveLength(1);
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", mergeable: true, turns: 2 });
  expect(imitation.violations()).toEqual([]);
});

it("says so, without the token, when Gitea no longer takes the environment's token, and goes through once it is replaced", async () => {
  const { imitation, user, task, environment } = await openedPullRequest("gitea-token");
  const opened = imitation.requests().length;
  // The token is revoked on Gitea and a new one made; the environment still has the old one.
  const newToken = "fedcba9876543210fedcba9876543210fedcba98";
  imitation.setToken(newToken);

  await requestPullRequest(user.id, task.id);
  const failed = await settledPullRequest(task.id, (entry) => entry.error !== null);
  // Asked first whether the PR is still open: Gitea refused the token, and nothing was pushed.
  expect(apiCalls(imitation).slice(opened)).toEqual(["GET /repos/acme/web/pulls/1 401"]);
  expect(failed.error).toBe("Gitea refused the environment's token (401) when asked to read the pull request. Connect the remote again with a current token.");
  expect(failed.error).not.toContain(TOKEN);
  expect(failed).toMatchObject({ status: "open", number: 1 });

  await updateEnvironment(user.id, environment.id, {
    repoCredential: { kind: "token", token: newToken },
    forge: { kind: "gitea", url: imitation.url, token: newToken },
  });
  await requestPullRequest(user.id, task.id);
  expect(await settledPullRequest(task.id)).toMatchObject({ status: "open", error: null, number: 1 });
  expect(apiCalls(imitation).slice(opened + 1)).toEqual(["GET /repos/acme/web/pulls/1 200", "PATCH /repos/acme/web/pulls/1 201"]);
  expect(imitation.pullRequests(REPOSITORY)).toHaveLength(1);
  expect(imitation.violations()).toEqual([]);
});

it("after a publish interrupted between opening the PR and recording it, finds that PR among the repository's and updates it", async () => {
  const { imitation, gitDir, user, environment } = await giteaEnvironment("gitea-interrupted");
  const task = await finishedTask(scripted.model, user.id, environment.id, "gitea-interrupted", addNotes, "Added NOTES.md.", "Write notes");

  // What the interrupted publish left on Gitea: the task's change as a commit of its branch, and a PR for it;
  // Patchbay recorded neither. A colleague's PR was opened since, so the task's is not the latest.
  const branch = pullRequestBranch(task.title, task.id);
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-interrupted-"));
  git(work, "clone", "-q", "--branch", "main", gitDir, ".");
  git(work, "checkout", "-q", "-b", branch);
  writeFileSync(path.join(work, "change.patch"), (await taskChangeSoFar(task.id)).patch ?? "");
  git(work, "apply", "change.patch");
  git(work, "add", "NOTES.md");
  git(work, "commit", "-q", "-m", "Write notes");
  git(work, "push", "-q", "origin", branch);
  const pushed = git(work, "rev-parse", "HEAD");
  const earlier = await imitation.openPullRequest(REPOSITORY, { head: branch, base: "main", title: "(publish interrupted)", user: "patchbay-bot" });
  await imitation.openPullRequest(REPOSITORY, { head: "feature/other", base: "main", title: "Unrelated", user: "alice" });

  await requestPullRequest(user.id, task.id);
  const row = await settledPullRequest(task.id);
  expect(row).toMatchObject({ status: "open", error: null, number: earlier.number, url: earlier.htmlUrl, headCommit: pushed, turns: 1 });
  expect(imitation.pullRequests(REPOSITORY).map((pull) => [pull.number, pull.title])).toEqual([
    [earlier.number, task.title],
    [2, "Unrelated"],
  ]);
  expect(apiCalls(imitation)).toEqual(["GET /repos/acme/web/pulls 200", `PATCH /repos/acme/web/pulls/${earlier.number} 201`]);
  expect(imitation.violations()).toEqual([]);
});

it("reads an open pull request's checks from the head's combined status and its merge on Gitea on the worker's refresh", async () => {
  const { imitation, task, user, row } = await openedPullRequest("gitea-refresh");
  const deps = scripted.worker.deps;
  const refreshDeps = { mirrors: deps.mirrors, logger: deps.logger, timeoutMs: 30_000, allowLocal: true, secretsKey: deps.secretsKey };
  const head = row.headCommit ?? "";
  const refreshed = async () => {
    await refreshOpenPullRequests(refreshDeps, { staleMs: 0, limit: 1000 });
    return getPullRequest(user.id, task.id);
  };

  // No CI has reported on the head yet: Gitea's combined status is empty.
  expect(await refreshed()).toMatchObject({ status: "open", checks: null, mergeable: true });
  expect(apiCalls(imitation).slice(-2)).toEqual(["GET /repos/acme/web/pulls/1 200", `GET /repos/acme/web/commits/${head}/status 200`]);

  // One context still runs, then another fails: failed wins.
  await imitation.setCommitStatus(REPOSITORY, head, { context: "ci/lint", state: "pending" });
  expect(await refreshed()).toMatchObject({ status: "open", checks: "pending" });
  await imitation.setCommitStatus(REPOSITORY, head, { context: "ci/test", state: "failure" });
  expect(await refreshed()).toMatchObject({ status: "open", checks: "failure" });
  // A context's latest status is the one that counts: both pass now. Meanwhile Gitea found a conflict with the base.
  await imitation.setCommitStatus(REPOSITORY, head, { context: "ci/lint", state: "success" });
  await imitation.setCommitStatus(REPOSITORY, head, { context: "ci/test", state: "success" });
  imitation.setMergeable(REPOSITORY, 1, false);
  expect(await refreshed()).toMatchObject({ status: "open", checks: "success", mergeable: false });

  // Merged on Gitea, with its branch deleted: the PR still reads as merged.
  await imitation.merge(REPOSITORY, 1, { deleteBranch: true });
  expect(await refreshed()).toMatchObject({ status: "merged", number: 1 });
  expect(imitation.violations()).toEqual([]);
});

it("posts a review's findings to the task's pull request as one review with inline comments on the new lines", async () => {
  const { imitation, task, user, environment, row } = await openedPullRequest("gitea-review");
  const suggestion = "  return `Hello, ${name}.`;";
  // The review's request quotes the reviewed task's title, whose script marker comes first: the scripted
  // model follows that marker, so the review's steps are registered under it (the first run is over).
  scripted.model.registerScript("gitea-review-one", {
    steps: [
      { calls: [{ name: "shell", arguments: { command: "git diff" } }] },
      {
        calls: [
          {
            name: "report_finding",
            arguments: {
              severity: "P3",
              path: "README.md",
              start_line: 1,
              end_line: 1,
              title: "Title not updated",
              explanation: "The README still says nothing about greetings.",
            },
          },
          {
            name: "report_finding",
            arguments: {
              severity: "P1",
              path: "src/greet.js",
              start_line: 2,
              end_line: 2,
              title: "Exclamation mark changes the output",
              explanation: "Callers compare the greeting; the added ! breaks them.",
              suggestion,
            },
          },
          {
            name: "report_finding",
            arguments: {
              severity: "P2",
              path: "src/greet.js",
              start_line: 3,
              end_line: 3,
              title: "No default name",
              explanation: "greet() without a name says undefined.",
            },
          },
        ],
      },
      { say: "The template literal is fine; the new punctuation is not." },
    ],
  });
  const review = await createTask(user.id, { mode: "review", environmentId: environment.id, taskId: task.id, prompt: "[[script:gitea-review-run]] Check it." });
  expect((await waitForFinishedAttempt(review.attemptId)).status).toBe("completed");
  const shown = await getTask(user.id, review.id);
  expect(shown.attempt?.findings.map((finding) => [finding.severity, finding.path, finding.startLine])).toEqual([
    ["P1", "src/greet.js", 2],
    ["P2", "src/greet.js", 3],
    ["P3", "README.md", 1],
  ]);

  // One review: the findings on lines of the diff inline, on the new file's lines (an unchanged line too, which
  // Gitea would put on the old side if given its old number), the suggestion with its finding; the other in
  // the review's body. Its address is its entry on the PR's conversation.
  expect(await requestReviewPost(user.id, review.id)).toEqual({ status: "queued" });
  const posted = await reviewPostOutcome(user.id, review.id);
  const [giteaReview, ...others] = imitation.reviews(REPOSITORY, 1);
  expect(others).toEqual([]);
  expect(posted).toEqual({ status: "posted", url: giteaReview?.htmlUrl, comments: 2 });
  expect(giteaReview?.htmlUrl).toMatch(new RegExp(`^${imitation.url}/acme/web/pulls/1#issuecomment-\\d+$`));
  expect(giteaReview).toMatchObject({ event: "COMMENT", state: "COMMENT", commitId: row.headCommit });
  expect(giteaReview?.comments).toEqual([
    {
      id: expect.any(Number),
      user: "patchbay-bot",
      path: "src/greet.js",
      line: 2,
      side: "new",
      body: `**P1: Exclamation mark changes the output**\n\nCallers compare the greeting; the added ! breaks them.\n\n\`\`\`suggestion\n${suggestion}\n\`\`\``,
      // Gitea shows the comment under the diff's lines down to it: it is on a line the diff shows.
      diffHunk: '@@ -1,3 +1,3 @@\n export function greet(name) {\n-  return "Hello, " + name;\n+  return `Hello, ${name}!`;',
    },
    {
      id: expect.any(Number),
      user: "patchbay-bot",
      path: "src/greet.js",
      line: 3,
      side: "new",
      body: "**P2: No default name**\n\ngreet() without a name says undefined.",
      diffHunk: '@@ -1,3 +1,3 @@\n export function greet(name) {\n-  return "Hello, " + name;\n+  return `Hello, ${name}!`;\n }',
    },
  ]);
  expect(giteaReview?.body).toContain("Patchbay review: 3 finding(s).");
  expect(giteaReview?.body).toContain("The template literal is fine; the new punctuation is not.");
  expect(giteaReview?.body).toContain("- **P3** `README.md:1` Title not updated: The README still says nothing about greetings.");
  expect(imitation.requests().at(-1)).toMatchObject({ method: "POST", path: "/repos/acme/web/pulls/1/reviews", status: 200 });
  expect(imitation.violations()).toEqual([]);
});

it("pulls the comments people left on the pull request's lines in as drafts, once each, replies staying with their thread", async () => {
  const { imitation, task, user } = await openedPullRequest("gitea-import");
  const first = await imitation.addReviewComment(REPOSITORY, 1, { user: "alice", path: "src/greet.js", line: 2, body: "Keep the comma style." });
  await imitation.addReviewComment(REPOSITORY, 1, { user: "bob", path: "src/greet.js", line: 2, body: "Agreed.", inReplyTo: first.id });
  // On the removed line: the old file's line 2.
  await imitation.addReviewComment(REPOSITORY, 1, { user: "carol", path: "src/greet.js", line: 2, side: "old", body: "The concatenation read fine." });

  const imported = async () => {
    await requestForgeCommentImport(user.id, task.id);
    return waitFor(
      "the comments to be pulled in",
      async () => {
        const state = (await getPullRequest(user.id, task.id))?.commentImport;
        return state && state.status !== "queued" ? state : null;
      },
      60_000,
      200,
    );
  };
  expect(await imported()).toEqual({ status: "done", imported: 2 });
  // Pulling again adds nothing: each comment comes in once.
  expect(await imported()).toEqual({ status: "done", imported: 0 });
  const drafts = await listReviewComments(user.id, task.id);
  expect(drafts.map(({ path, line, side, body, author, state }) => ({ path, line, side, body, author, state }))).toEqual([
    { path: "src/greet.js", line: 2, side: "new", body: "Keep the comma style.", author: "alice", state: "draft" },
    { path: "src/greet.js", line: 2, side: "old", body: "The concatenation read fine.", author: "carol", state: "draft" },
  ]);
  expect(imitation.violations()).toEqual([]);
});

it("reviews a pull request by its Gitea address against the branch it merges into, and posts the findings to it", async () => {
  const { imitation, gitDir, user, environment } = await giteaEnvironment("gitea-pr-review");
  // A colleague's pull request, pushed and opened on Gitea without Patchbay.
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-colleague-"));
  git(work, "clone", "-q", gitDir, ".");
  git(work, "checkout", "-q", "-b", "feature/greeting");
  writeFileSync(path.join(work, "src/greet.js"), 'export function greet(name) {\n  return "Howdy, " + name;\n}\n');
  git(work, "commit", "-q", "-am", "Howdy");
  git(work, "push", "-q", "origin", "feature/greeting");
  const head = git(work, "rev-parse", "HEAD");
  const pull = await imitation.openPullRequest(REPOSITORY, { head: "feature/greeting", base: "main", title: "Say howdy", user: "alice" });

  // GitHub's form of the address is not Gitea's.
  await expect(
    createTask(user.id, { mode: "review", environmentId: environment.id, pullRequest: `${imitation.url}/acme/web/pull/${pull.number}` }),
  ).rejects.toThrow("is not a pull request of this environment's repository on Gitea");
  scripted.model.registerScript("gitea-pr-review-run", {
    steps: [
      { calls: [{ name: "shell", arguments: { command: "git diff" } }] },
      {
        calls: [
          {
            name: "report_finding",
            arguments: {
              severity: "P2",
              path: "src/greet.js",
              start_line: 2,
              end_line: 2,
              title: "Informal greeting",
              explanation: "The product speaks formally.",
            },
          },
        ],
      },
      { say: "One wording finding." },
    ],
  });
  const review = await createTask(user.id, {
    mode: "review",
    environmentId: environment.id,
    pullRequest: pull.htmlUrl,
    prompt: "[[script:gitea-pr-review-run]] Wording.",
  });
  expect((await waitForFinishedAttempt(review.attemptId)).status).toBe("completed");
  const shown = await getTask(user.id, review.id);
  expect(shown).toMatchObject({ mode: "review", reviewOf: null, reviewPullRequest: pull.number, title: `Review: pull request #${pull.number}` });
  // The agent read the pull request's change (its refs/pull/N/head, fetched from Gitea) against main.
  const patch = await getTaskPatch(user.id, review.id);
  expect(patch).toContain('-  return "Hello, " + name;');
  expect(patch).toContain('+  return "Howdy, " + name;');

  await requestReviewPost(user.id, review.id);
  const posted = await reviewPostOutcome(user.id, review.id);
  const [giteaReview] = imitation.reviews(REPOSITORY, pull.number);
  expect(posted).toEqual({ status: "posted", url: giteaReview?.htmlUrl, comments: 1 });
  expect(giteaReview).toMatchObject({ commitId: head, event: "COMMENT", state: "COMMENT" });
  expect(giteaReview?.comments.map((comment) => [comment.path, comment.line, comment.side, comment.diffHunk !== ""])).toEqual([
    ["src/greet.js", 2, "new", true],
  ]);
  expect(imitation.violations()).toEqual([]);
});
