// Pull requests on GitHub: an imitation of GitHub Enterprise Server (test/support/github-imitation.ts) that
// serves the REST API under /api/v3 and the repository's git over smart HTTP at /acme/web.git on one
// address, holding every request Patchbay makes to GitHub's published OpenAPI description. A real task
// run by the scripted model in a sandbox, the real worker queue, the real push and Octokit: one task = one
// branch = one pull request, which a follow-up updates and never opens twice.
import { afterEach, beforeAll, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import { GET as getSharedArtifact } from "@/app/api/v1/shared/artifacts/[artifactId]/route";
import { saveArtifact } from "@/lib/artifacts/artifact-queries";
import type { PreviewReport } from "@/lib/artifacts/preview-report";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { pullRequestBranch } from "@/lib/pull-requests/pull-request-text";
import { getPullRequest, requestPullRequest } from "@/lib/pull-requests/pull-requests";
import { fixFinding, requestReviewPost } from "@/lib/reviews/review-tasks";
import { listReviewComments, requestForgeCommentImport, sendReviewComments } from "@/lib/review-comments/review-comments";
import { getTask, getTaskPatch } from "@/lib/tasks/task-queries";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { createTask } from "@/lib/tasks/create-task";
import { taskChangeSoFar } from "@/lib/tasks/earlier-turns";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { type GitHubImitation, startGitHubImitation } from "@/test/support/github-imitation";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, TEST_PUBLIC_URL, waitForFinishedAttempt } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";
import { addGreeting, addNotes, apiCalls, finishedTask, reviewPostOutcome, settledPullRequest } from "@/test/support/pull-request-flow";
import { refreshOpenPullRequests } from "./publish-pull-request";

const scripted = useScriptedWorker();
const TOKEN = "ghp_imitationToken0123456789abcdef";
const REPOSITORY = "acme/web";

let repo: FixtureRepo;
const imitations: GitHubImitation[] = [];

beforeAll(() => {
  repo = createFixtureRepo();
});

afterEach(async () => {
  await Promise.all(imitations.splice(0).map((imitation) => imitation.close()));
});

/** A GitHub of its own for the test, holding acme/web (a bare copy of the fixture), and an environment on it. */
async function githubEnvironment(name: string, forgeToken = TOKEN) {
  const imitation = await startGitHubImitation({ token: TOKEN });
  imitations.push(imitation);
  const remote = imitation.createRepository(REPOSITORY, repo.dir);
  expect(remote.cloneUrl).toBe(`${imitation.url}/acme/web.git`);
  const user = await createUser();
  const environment = await createEnvironment(user.id, {
    name,
    repoUrl: remote.cloneUrl,
    // The repository is private: the mirror reads it with a token too (the same one, as a team would).
    repoCredential: { kind: "token", token: TOKEN },
    forge: { kind: "github", url: imitation.apiUrl, token: forgeToken },
  });
  expect(environment.forge).toEqual({ kind: "github", url: imitation.apiUrl });
  return { imitation, gitDir: remote.gitDir, pushUrl: remote.cloneUrl, user, environment };
}

/** Sets up a task whose PR is open on the imitation: the common start of several tests. */
async function openedPullRequest(name: string) {
  const setup = await githubEnvironment(name);
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
  const { imitation, gitDir, user, environment } = await githubEnvironment("opens");
  const task = await finishedTask(
    scripted.model,
    user.id,
    environment.id,
    "gh-open",
    addGreeting,
    "Greeting now uses a template literal.",
    "Use a template literal in greet",
  );

  const requested = await requestPullRequest(user.id, task.id);
  expect(requested).toMatchObject({ status: "queued", kind: "github", baseBranch: "main", url: null, number: null });
  expect(requested.branch).toBe(pullRequestBranch(task.title, task.id));
  const row = await settledPullRequest(task.id);

  const [pull, ...others] = imitation.pullRequests(REPOSITORY);
  expect(others).toEqual([]);
  expect(pull).toMatchObject({ number: 1, head: requested.branch, base: "main", title: task.title, state: "open", merged: false });
  expect(pull?.htmlUrl).toBe(`${imitation.url}/acme/web/pull/1`);
  expect(row).toMatchObject({ status: "open", error: null, number: 1, url: pull?.htmlUrl, turns: 1 });
  expect(pull?.body).toContain("Greeting now uses a template literal.");
  expect(pull?.body).toContain("### Files (1)\n- `src/greet.js` (+1 −1)");
  expect(pull?.body).toContain(`(${TEST_PUBLIC_URL}/tasks/${task.id})`);
  // GitHub works out mergeability after it answers the request that opened the PR: unknown until then.
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", number: 1, url: pull?.htmlUrl, mergeable: null, publishing: false });

  // The branch on GitHub: one commit on the base commit, with the change.
  const head = git(gitDir, "rev-parse", `refs/heads/${requested.branch}`);
  expect(head).toBe(row.headCommit);
  expect(git(gitDir, "rev-parse", `${head}^`)).toBe(repo.baseCommit);
  expect(git(gitDir, "show", `${head}:src/greet.js`)).toContain("`Hello, ${name}!`");
  expect(git(gitDir, "rev-parse", "refs/heads/main")).toBe(repo.baseCommit);

  // It looked for a PR of the branch (an interrupted earlier publish may have opened one), then opened it.
  expect(apiCalls(imitation)).toEqual(["GET /repos/acme/web/pulls 200", "POST /repos/acme/web/pulls 201"]);
  const [list, create] = imitation.requests();
  expect(list?.query).toMatchObject({ head: `acme:${requested.branch}`, state: "all" });
  expect(create?.body).toEqual({ head: requested.branch, base: "main", title: task.title, body: pull?.body });
  expect(imitation.violations()).toEqual([]);

  // The token stayed on the worker host.
  expect(JSON.stringify(await listTaskEvents(task.id, 0n))).not.toContain(TOKEN);
  expect(JSON.stringify(scripted.model.requests())).not.toContain(TOKEN);
});

it("pushes a follow-up as the next commit of the same branch and updates the same pull request", async () => {
  const { imitation, gitDir, user, task, branch, row: first } = await openedPullRequest("gh-follow");
  const opened = imitation.requests().length;

  scripted.model.registerScript("gh-follow-two", { steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }] });
  const followUp = await addFollowUp(user.id, task.id, { text: "[[script:gh-follow-two]] Write it down in NOTES.md" });
  expect((await waitForFinishedAttempt(followUp.attemptId)).status).toBe("completed");
  const row = await settledPullRequest(task.id, (entry) => entry.turns === 2 || entry.error !== null);
  expect(row).toMatchObject({ status: "open", error: null, number: first.number, url: first.url, turns: 2 });

  // Still one PR, with the body rewritten for both requests and both files.
  const pulls = imitation.pullRequests(REPOSITORY);
  expect(pulls).toHaveLength(1);
  expect(pulls[0]).toMatchObject({ number: first.number, head: branch, state: "open" });
  const body = pulls[0]?.body ?? "";
  expect(body.startsWith("Added NOTES.md.")).toBe(true);
  expect(body).toContain("### Requests\n1. [[script:gh-follow-one]] Use a template literal in greet\n2. [[script:gh-follow-two]] Write it down in NOTES.md");
  expect(body).toContain("### Files (2)");
  expect(body).toContain(`(${TEST_PUBLIC_URL}/tasks/${task.id})`);

  // The branch grew by one commit on top of the first.
  const second = git(gitDir, "rev-parse", `refs/heads/${branch}`);
  expect(second).toBe(row.headCommit);
  expect(second).not.toBe(first.headCommit);
  expect(git(gitDir, "rev-parse", `${second}^`)).toBe(first.headCommit);
  expect(git(gitDir, "diff", "--name-only", first.headCommit ?? "", second)).toBe("NOTES.md");

  // The PR's number was known: its state is read (a merged PR takes no more commits), then one PATCH;
  // no search and no second POST.
  expect(apiCalls(imitation).slice(opened)).toEqual([`GET /repos/acme/web/pulls/${first.number} 200`, `PATCH /repos/acme/web/pulls/${first.number} 200`]);
  expect(imitation.requests().at(-1)?.body).toEqual({ title: task.title, body });
  expect(imitation.requests().filter((request) => request.method === "POST")).toHaveLength(1);
  // By now GitHub knows the PR merges cleanly, and Patchbay shows it.
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", mergeable: true, turns: 2 });
  expect(imitation.violations()).toEqual([]);
});

it("shows a pull request merged on GitHub as merged when it is published again", async () => {
  const { imitation, gitDir, user, task, branch, row: opened } = await openedPullRequest("gh-merged");
  imitation.merge(REPOSITORY, opened.number ?? 0);

  await requestPullRequest(user.id, task.id);
  const row = await settledPullRequest(task.id);
  expect(row).toMatchObject({ status: "merged", error: null, number: opened.number, url: opened.url, headCommit: opened.headCommit });
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "merged", publishing: false });
  // Nothing new to push: the branch is where it was, and the PR is still the one.
  expect(git(gitDir, "rev-parse", `refs/heads/${branch}`)).toBe(opened.headCommit);
  expect(imitation.pullRequests(REPOSITORY)).toHaveLength(1);
  expect(imitation.requests().filter((request) => request.method === "POST")).toHaveLength(1);
  expect(imitation.violations()).toEqual([]);
});

it("fails with a clear message when GitHub refuses the token, without the token in it, and goes through once it is replaced", async () => {
  const wrongToken = "ghp_revokedToken0123456789abcdef";
  const { imitation, gitDir, pushUrl, user, environment } = await githubEnvironment("gh-locked", wrongToken);
  const task = await finishedTask(scripted.model, user.id, environment.id, "gh-locked", addNotes, "Added NOTES.md.", "notes");

  await requestPullRequest(user.id, task.id);
  const failed = await settledPullRequest(task.id);
  expect(failed.status).toBe("failed");
  // The push comes first, with the same token: the remote refuses it.
  expect(failed.error).toBe(`The remote ${pushUrl} refused the environment's forge token (HTTP 401). Connect the remote again with a current token.`);
  expect(failed.error).not.toContain(wrongToken);
  expect(git(gitDir, "for-each-ref", "--format=%(refname)", "refs/heads/patchbay/")).toBe("");
  expect(imitation.requests()).toEqual([]);
  expect(imitation.pullRequests(REPOSITORY)).toEqual([]);

  await updateEnvironment(user.id, environment.id, { forge: { kind: "github", url: imitation.apiUrl, token: TOKEN } });
  await requestPullRequest(user.id, task.id);
  expect(await settledPullRequest(task.id)).toMatchObject({ status: "open", error: null, number: 1 });
  expect(imitation.pullRequests(REPOSITORY)).toHaveLength(1);
  expect(imitation.violations()).toEqual([]);
});

it("signs in as a GitHub App installation: a signed JWT becomes an installation token that pushes and opens the PR; another key is refused", async () => {
  const rsa = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keys = rsa();
  const privateKey = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const app = { id: 4242, installationId: 99, publicKey: keys.publicKey.export({ type: "spki", format: "pem" }).toString() };
  const imitation = await startGitHubImitation({ token: TOKEN, app });
  imitations.push(imitation);
  const remote = imitation.createRepository(REPOSITORY, repo.dir);
  const user = await createUser();
  const connect = (name: string, key: string) =>
    createEnvironment(user.id, {
      name,
      repoUrl: remote.cloneUrl,
      repoCredential: { kind: "token", token: TOKEN },
      forge: { kind: "github", url: imitation.apiUrl, app: { id: app.id, installationId: app.installationId, privateKey: key } },
    });
  const environment = await connect("gh-app", privateKey);
  expect(environment.forge).toEqual({ kind: "github", url: imitation.apiUrl, app: { id: 4242, installationId: 99 } });
  const task = await finishedTask(scripted.model, user.id, environment.id, "gh-app", addNotes, "Added NOTES.md.", "notes");

  await requestPullRequest(user.id, task.id);
  expect(await settledPullRequest(task.id)).toMatchObject({ status: "open", error: null, number: 1 });
  expect(git(remote.gitDir, "for-each-ref", "--format=%(refname:short)", "refs/heads/patchbay/")).toBe(pullRequestBranch(task.title, task.id));
  expect(apiCalls(imitation)[0]).toBe("POST /app/installations/99/access_tokens 201");

  // An environment with a key the app does not have gets no token, not even the one minted for the right key.
  const revoked = await connect("gh-app-revoked", rsa().privateKey.export({ type: "pkcs1", format: "pem" }).toString());
  const other = await finishedTask(scripted.model, user.id, revoked.id, "gh-app-revoked", addGreeting, "Greeting.", "greet");
  await requestPullRequest(user.id, other.id);
  const failed = await settledPullRequest(other.id);
  expect(failed).toMatchObject({ status: "failed" });
  expect(failed.error).toBe("GitHub refused the signature of app 4242 (401). Check the App ID and that the private key is one of the app's current keys.");
  expect(apiCalls(imitation).filter((call) => call.includes("access_tokens"))).toEqual([
    "POST /app/installations/99/access_tokens 201",
    "POST /app/installations/99/access_tokens 401",
  ]);
  expect(imitation.pullRequests(REPOSITORY)).toHaveLength(1);
  expect(imitation.violations()).toEqual([]);
});

it("after a publish interrupted between opening the PR and recording it, finds that PR and updates it instead of opening a second", async () => {
  const { imitation, gitDir, user, environment } = await githubEnvironment("gh-interrupted");
  const task = await finishedTask(scripted.model, user.id, environment.id, "gh-interrupted", addNotes, "Added NOTES.md.", "Write notes");

  // What the interrupted publish left on GitHub: the task's change as a commit of its branch on the base
  // commit, and a PR opened for it; Patchbay recorded neither.
  const branch = pullRequestBranch(task.title, task.id);
  const { patch } = await taskChangeSoFar(task.id);
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-interrupted-"));
  git(work, "clone", "-q", "--branch", "main", gitDir, ".");
  git(work, "checkout", "-q", "-b", branch);
  writeFileSync(path.join(work, "change.patch"), patch ?? "");
  git(work, "apply", "change.patch");
  git(work, "add", "NOTES.md");
  git(work, "commit", "-q", "-m", "Write notes");
  git(work, "push", "-q", "origin", branch);
  const pushed = git(work, "rev-parse", "HEAD");
  const earlier = await imitation.openPullRequest(REPOSITORY, { head: branch, base: "main", title: "(publish interrupted)" });

  expect((await requestPullRequest(user.id, task.id)).number).toBeNull();
  const row = await settledPullRequest(task.id);
  expect(row).toMatchObject({ status: "open", error: null, number: earlier.number, url: earlier.htmlUrl, turns: 1 });
  // The commit already there holds the change: nothing new was committed on top of it.
  expect(row.headCommit).toBe(pushed);
  expect(git(gitDir, "rev-parse", `refs/heads/${branch}`)).toBe(pushed);

  const pulls = imitation.pullRequests(REPOSITORY);
  expect(pulls).toHaveLength(1);
  expect(pulls[0]).toMatchObject({ number: earlier.number, title: task.title, state: "open" });
  expect(pulls[0]?.body).toContain("Added NOTES.md.");
  expect(apiCalls(imitation)).toEqual(["GET /repos/acme/web/pulls 200", `PATCH /repos/acme/web/pulls/${earlier.number} 200`]);
  expect(imitation.violations()).toEqual([]);
});

// The two tests below fail against the current worker: publishPullRequest pushes before it asks GitHub about
// the PR, so a PR merged on GitHub (which Patchbay has not read yet) gets commits pushed onto its branch,
// and a branch GitHub deleted after the merge is pushed again.
it("does not push a follow-up onto a pull request that was merged on GitHub, and says why", async () => {
  const { imitation, gitDir, user, task, branch, row: opened } = await openedPullRequest("gh-late");
  // Merged on GitHub; Patchbay still shows it open (it has not read it since).
  imitation.merge(REPOSITORY, opened.number ?? 0);
  expect((await getPullRequest(user.id, task.id))?.status).toBe("open");

  scripted.model.registerScript("gh-late-two", { steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }] });
  const followUp = await addFollowUp(user.id, task.id, { text: "[[script:gh-late-two]] Write it down in NOTES.md" });
  expect((await waitForFinishedAttempt(followUp.attemptId)).status).toBe("completed");
  const row = await settledPullRequest(task.id, (entry) => entry.turns === 2 || entry.error !== null);

  expect(row.status).toBe("merged");
  // The follow-up's change is in no pull request: the page must say so instead of counting it as published.
  expect(row.turns).toBe(1);
  expect(row.error).toMatch(/merged/i);
  // Nothing was pushed onto the merged PR's branch.
  expect(git(gitDir, "rev-parse", `refs/heads/${branch}`)).toBe(opened.headCommit);
  expect(row.headCommit).toBe(opened.headCommit);
  expect(imitation.violations()).toEqual([]);
});

it("publishing a merged pull request again does not bring back the branch GitHub deleted after the merge", async () => {
  const { imitation, gitDir, user, task, row: opened } = await openedPullRequest("gh-deleted");
  // The repository deletes head branches once their PR is merged (a common GitHub setting).
  imitation.merge(REPOSITORY, opened.number ?? 0, { deleteBranch: true });
  expect(git(gitDir, "for-each-ref", "--format=%(refname)", "refs/heads/patchbay/")).toBe("");

  await requestPullRequest(user.id, task.id);
  const row = await settledPullRequest(task.id);
  expect(row).toMatchObject({ status: "merged", number: opened.number, headCommit: opened.headCommit, turns: 1 });
  expect(git(gitDir, "for-each-ref", "--format=%(refname)", "refs/heads/patchbay/")).toBe("");
  expect(imitation.violations()).toEqual([]);
});

it("reads an open pull request's state and checks from GitHub on the worker's refresh, so a merge shows without a publish", async () => {
  const { imitation, task, user, row } = await openedPullRequest("gh-refresh");
  const deps = scripted.worker.deps;
  const refreshDeps = { mirrors: deps.mirrors, logger: deps.logger, timeoutMs: 30_000, allowLocal: true, secretsKey: deps.secretsKey };
  // Only pull requests last read longer ago than staleMs are asked about.
  expect(await refreshOpenPullRequests(refreshDeps, { staleMs: 60 * 60_000, limit: 20 })).toBe(0);
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", checks: null });

  // CI on the PR's head: one run failed, one still runs. Failed wins.
  imitation.setCheckRun(REPOSITORY, row.headCommit ?? "", { name: "lint", status: "in_progress" });
  await refreshOpenPullRequests(refreshDeps, { staleMs: 0, limit: 1000 });
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", checks: "pending" });
  imitation.setCheckRun(REPOSITORY, row.headCommit ?? "", { name: "test", status: "completed", conclusion: "failure" });
  await refreshOpenPullRequests(refreshDeps, { staleMs: 0, limit: 1000 });
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", checks: "failure" });
  expect(apiCalls(imitation).slice(-2)).toEqual(["GET /repos/acme/web/pulls/1 200", `GET /repos/acme/web/commits/${row.headCommit}/check-runs 200`]);

  imitation.merge(REPOSITORY, 1);
  await refreshOpenPullRequests(refreshDeps, { staleMs: 0, limit: 1000 });
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "merged", number: 1 });
  expect(imitation.violations()).toEqual([]);
});

it("reviews a task's change, shows the findings, posts them to its pull request as one review, and turns one into a follow-up", async () => {
  const { imitation, task, user, environment } = await openedPullRequest("gh-review");
  const suggestion = "  return `Hello, ${name}.`;";
  // The review's request quotes the reviewed task's title, whose script marker comes first: the scripted
  // model follows that marker, so the review's steps are registered under it (the first run is over).
  scripted.model.registerScript("gh-review-one", {
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
        ],
      },
      { say: "The template literal is fine; the new punctuation is not." },
    ],
  });
  const review = await createTask(user.id, {
    mode: "review",
    environmentId: environment.id,
    taskId: task.id,
    prompt: "[[script:gh-review-run]] Check the output.",
  });
  expect((await waitForFinishedAttempt(review.attemptId)).status).toBe("completed");

  // The agent read the change in its sandbox, with the review tools only.
  const requests = scripted.model.requests().filter((request) => JSON.stringify(request.body).includes("Check the output."));
  const first = requests[0]?.body as { tools: { name: string }[]; instructions: string };
  expect(first.tools.map((tool) => tool.name)).toEqual(["shell", "update_plan", "report_finding"]);
  expect(first.instructions).toContain("You are Patchbay, reviewing a change");
  const outputs = (requests.at(-1)?.body as { input: { type?: string; output?: string }[] }).input.filter((item) => item.type === "function_call_output");
  expect(outputs[0]?.output).toContain("+  return `Hello, ${name}!`;");

  // Findings, most severe first, on the reviewed change (which is the review's diff).
  const shown = await getTask(user.id, review.id);
  expect(shown).toMatchObject({ mode: "review", reviewOf: task.id, status: "completed" });
  expect(shown.attempt?.findings.map((finding) => [finding.severity, finding.path, finding.startLine, finding.title])).toEqual([
    ["P1", "src/greet.js", 2, "Exclamation mark changes the output"],
    ["P3", "README.md", 1, "Title not updated"],
  ]);
  expect(await getTaskPatch(user.id, review.id)).toBe((await taskChangeSoFar(task.id)).patch);

  // Posted as one review: the finding on a line of the diff inline with its suggestion, the other in the body.
  expect(await requestReviewPost(user.id, review.id)).toEqual({ status: "queued" });
  const posted = await reviewPostOutcome(user.id, review.id);
  const [ghReview, ...others] = imitation.reviews(REPOSITORY, 1);
  expect(others).toEqual([]);
  expect(posted).toEqual({ status: "posted", url: `${imitation.url}/acme/web/pull/1#pullrequestreview-${ghReview?.id}`, comments: 1 });
  expect(ghReview).toMatchObject({ event: "COMMENT", state: "COMMENTED" });
  expect(ghReview?.comments).toEqual([
    {
      path: "src/greet.js",
      line: 2,
      startLine: null,
      side: "RIGHT",
      body: `**P1: Exclamation mark changes the output**\n\nCallers compare the greeting; the added ! breaks them.\n\n\`\`\`suggestion\n${suggestion}\n\`\`\``,
    },
  ]);
  expect(ghReview?.body).toContain("Patchbay review: 2 finding(s).");
  expect(ghReview?.body).toContain("The template literal is fine; the new punctuation is not.");
  expect(ghReview?.body).toContain("- **P3** `README.md:1` Title not updated: The README still says nothing about greetings.");
  expect(imitation.violations()).toEqual([]);
  await expect(requestReviewPost(user.id, review.id)).rejects.toThrow("The review was already posted");

  // "Fix this": the finding becomes a follow-up of the reviewed task, with its anchor and suggestion.
  const p1 = shown.attempt?.findings[0];
  scripted.model.registerScript("gh-review-fix", { steps: [{ say: "Done." }] });
  const fix = await fixFinding(user.id, review.id, p1?.id ?? "");
  expect(fix).toMatchObject({ taskId: task.id, kind: "follow-up", turn: 1 });
  const turn = await db().turn.findUniqueOrThrow({ where: { taskId_index: { taskId: task.id, index: 1 } }, select: { prompt: true } });
  expect(turn.prompt).toBe(
    `Fix this review finding (P1) in src/greet.js, line 2: Exclamation mark changes the output\n\nCallers compare the greeting; the added ! breaks them.\n\nSuggested replacement for those lines:\n\`\`\`\n${suggestion}\n\`\`\``,
  );
  await waitForFinishedAttempt(fix.attemptId);
});

it("shows the task's before/after screenshots in the pull request through signed links that open without signing in", async () => {
  const { imitation, user, environment } = await githubEnvironment("gh-shots");
  const task = await finishedTask(
    scripted.model,
    user.id,
    environment.id,
    "gh-shots-one",
    addGreeting,
    "Greeting now uses a template literal.",
    "Use a template literal in greet",
  );
  // The screenshot stage's result, as it stores it (its own tests cover taking the pictures).
  const attempt = await db().attempt.findFirstOrThrow({ where: { turn: { taskId: task.id } }, select: { id: true } });
  const png = (label: string) => Buffer.from(`\x89PNG\r\n\x1a\n${label}`, "latin1");
  const before = await saveArtifact(attempt.id, { kind: "screenshot", contentType: "image/png", extension: "png", bytes: png("before"), metadata: {} });
  const after = await saveArtifact(attempt.id, { kind: "screenshot", contentType: "image/png", extension: "png", bytes: png("after"), metadata: {} });
  const report: PreviewReport = {
    routes: ["/"],
    shots: [
      {
        route: "/",
        viewport: { name: "desktop", width: 1280, height: 800 },
        before: { ok: true, artifactId: before.id, status: 200 },
        after: { ok: true, artifactId: after.id, status: 200 },
        diff: { artifactId: after.id, changedPixels: 10, changedRatio: 0.01, sizeChanged: false },
      },
    ],
    failures: [],
    blockedRequests: [],
    durationMs: 1,
  };
  await db().attempt.update({ where: { id: attempt.id }, data: { previewReport: report } });

  await requestPullRequest(user.id, task.id);
  await settledPullRequest(task.id);
  const body = imitation.pullRequests(REPOSITORY)[0]?.body ?? "";
  const links = [...body.matchAll(/!\[(before|after)\]\(([^)]+)\)/g)].map((match) => ({ side: match[1], url: match[2] ?? "" }));
  expect(links.map((link) => link.side)).toEqual(["before", "after"]);
  expect(body).toContain("| `/` (desktop) | ![before](");
  for (const link of links) expect(link.url.startsWith(`${TEST_PUBLIC_URL}/api/v1/shared/artifacts/`)).toBe(true);

  // The web app serves each link's picture to anyone holding it, and nothing for an altered link.
  const open = async (url: string) => {
    const parsed = new URL(url);
    const artifactId = decodeURIComponent(parsed.pathname.split("/").at(-1) ?? "");
    const response = await getSharedArtifact(new NextRequest(`http://localhost${parsed.pathname}${parsed.search}`), {
      params: Promise.resolve({ artifactId }),
    });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  expect(await open(links[0]?.url ?? "")).toEqual({ status: 200, bytes: png("before") });
  expect(await open(links[1]?.url ?? "")).toEqual({ status: 200, bytes: png("after") });
  expect((await open((links[0]?.url ?? "").replace(before.id, after.id))).status).toBe(404);
  expect(imitation.violations()).toEqual([]);
});

it("pulls the review comments left on the pull request in as drafts, once each, and sends them as one turn", async () => {
  const { imitation, task, user } = await openedPullRequest("gh-import");
  const first = imitation.addReviewComment(REPOSITORY, 1, { user: "octocat", path: "src/greet.js", line: 2, body: "Keep the comma style." });
  imitation.addReviewComment(REPOSITORY, 1, { user: "hubot", path: "src/greet.js", line: 2, body: "Agreed.", inReplyTo: first.id });

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
  expect(await imported()).toEqual({ status: "done", imported: 1 });
  // Pulling again adds nothing: each forge comment comes in once (replies stay with their thread).
  expect(await imported()).toEqual({ status: "done", imported: 0 });
  const drafts = await listReviewComments(user.id, task.id);
  expect(drafts.map(({ path, line, side, body, author, state }) => ({ path, line, side, body, author, state }))).toEqual([
    { path: "src/greet.js", line: 2, side: "new", body: "Keep the comma style.", author: "octocat", state: "draft" },
  ]);

  // Sent like comments written in Patchbay; the agent is told who wrote it. (The scripted model follows the
  // first turn's marker, so this turn's steps are registered under it.)
  scripted.model.registerScript("gh-import-one", { steps: [{ say: "Kept the comma style." }] });
  const sent = await sendReviewComments(user.id, task.id);
  expect((await waitForFinishedAttempt(sent.attemptId)).status).toBe("completed");
  const turn = await db().turn.findUniqueOrThrow({ where: { taskId_index: { taskId: task.id, index: 1 } }, select: { prompt: true } });
  expect(turn.prompt).toContain("1. src/greet.js, line 2 (from @octocat on the pull request):\n   Keep the comma style.");
  expect(imitation.violations()).toEqual([]);
});

it("reviews a pull request by its address against the branch it merges into, and posts the findings to it", async () => {
  const { imitation, gitDir, user, environment } = await githubEnvironment("gh-pr-review");
  // A colleague's pull request, pushed and opened on GitHub without Patchbay.
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-colleague-"));
  git(work, "clone", "-q", gitDir, ".");
  git(work, "checkout", "-q", "-b", "feature/greeting");
  writeFileSync(path.join(work, "src/greet.js"), 'export function greet(name) {\n  return "Howdy, " + name;\n}\n');
  git(work, "commit", "-q", "-am", "Howdy");
  git(work, "push", "-q", "origin", "feature/greeting");
  const head = git(work, "rev-parse", "HEAD");
  const pull = await imitation.openPullRequest(REPOSITORY, { head: "feature/greeting", base: "main", title: "Say howdy" });

  await expect(
    createTask(user.id, { mode: "review", environmentId: environment.id, pullRequest: `${imitation.url}/other/repo/pull/${pull.number}` }),
  ).rejects.toThrow("is not a pull request of this environment's repository");
  scripted.model.registerScript("gh-pr-review-run", {
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
    pullRequest: `${imitation.url}/acme/web/pull/${pull.number}`,
    prompt: "[[script:gh-pr-review-run]] Wording.",
  });
  expect((await waitForFinishedAttempt(review.attemptId)).status).toBe("completed");
  const shown = await getTask(user.id, review.id);
  expect(shown).toMatchObject({ mode: "review", reviewOf: null, reviewPullRequest: pull.number, title: `Review: pull request #${pull.number}` });
  expect(shown.attempt?.findings.map((finding) => finding.title)).toEqual(["Informal greeting"]);
  // The agent read the pull request's change, checked out on the base it branched from.
  const outputs = scripted.model
    .requests()
    .filter((request) => JSON.stringify(request.body).includes("script:gh-pr-review-run"))
    .flatMap((request) => (request.body as { input: { type?: string; output?: string }[] }).input)
    .filter((item) => item.type === "function_call_output");
  expect(outputs[0]?.output).toContain('+  return "Howdy, " + name;');
  expect(await getTaskPatch(user.id, review.id)).toContain('+  return "Howdy, " + name;');

  await requestReviewPost(user.id, review.id);
  const posted = await reviewPostOutcome(user.id, review.id);
  expect(posted).toMatchObject({ status: "posted", comments: 1 });
  const [posted1] = imitation.reviews(REPOSITORY, pull.number);
  expect(posted1).toMatchObject({ commitId: head, event: "COMMENT" });
  expect(posted1?.comments.map((comment) => [comment.path, comment.line])).toEqual([["src/greet.js", 2]]);
  await expect(fixFinding(user.id, review.id, shown.attempt?.findings[0]?.id ?? "")).rejects.toThrow("This review is of a pull request");
  expect(imitation.violations()).toEqual([]);
});
