// Merge requests on GitLab: an imitation of a GitLab host (test/support/gitlab-imitation.ts) that serves the
// REST API under /api/v4 and the project's git over smart HTTP at /acme/web.git on one address, holding each
// request Patchbay makes to GitLab's documented operations and fields, and each draft note to the diff line
// GitLab would anchor it to. A real task run by the scripted model in a sandbox, the real worker queue, the
// real push and gitbeaker: one task = one branch = one merge request, which a follow-up updates.
import { afterEach, beforeAll, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { pullRequestBranch } from "@/lib/pull-requests/pull-request-text";
import { getPullRequest, requestPullRequest } from "@/lib/pull-requests/pull-requests";
import { listReviewComments, requestForgeCommentImport, sendReviewComments } from "@/lib/review-comments/review-comments";
import { requestReviewPost } from "@/lib/reviews/review-tasks";
import { createTask } from "@/lib/tasks/create-task";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { getTask, getTaskPatch } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { type GitLabImitation, startGitLabImitation } from "@/test/support/gitlab-imitation";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, TEST_PUBLIC_URL, waitForFinishedAttempt } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";
import { addGreeting, addNotes, apiCalls, finishedTask, reviewPostOutcome, settledPullRequest } from "@/test/support/pull-request-flow";
import { refreshOpenPullRequests } from "./publish-pull-request";

const scripted = useScriptedWorker();
const TOKEN = "glpat-imitationToken0123456789";
/** A token that may push but not use the API (scope write_repository only). */
const PUSH_ONLY_TOKEN = "glpat-pushOnlyToken0123456789";
const REPOSITORY = "acme/web";
const PROJECT = "/projects/acme%2Fweb";

let repo: FixtureRepo;
const imitations: GitLabImitation[] = [];

beforeAll(() => {
  repo = createFixtureRepo();
});

afterEach(async () => {
  await Promise.all(imitations.splice(0).map((imitation) => imitation.close()));
});

/** A GitLab of its own for the test, holding acme/web (a bare copy of the fixture), and an environment on it. */
async function gitlabEnvironment(name: string, forgeToken = TOKEN) {
  const imitation = await startGitLabImitation({ token: TOKEN, otherTokens: { [PUSH_ONLY_TOKEN]: ["write_repository"] } });
  imitations.push(imitation);
  const remote = imitation.createRepository(REPOSITORY, repo.dir);
  expect(remote.cloneUrl).toBe(`${imitation.url}/acme/web.git`);
  const user = await createUser();
  const environment = await createEnvironment(user.id, {
    name,
    repoUrl: remote.cloneUrl,
    // The project is private: the mirror reads it with a token too (the same one, as a team would).
    repoCredential: { kind: "token", token: TOKEN },
    forge: { kind: "gitlab", url: imitation.url, token: forgeToken },
  });
  expect(environment.forge).toEqual({ kind: "gitlab", url: imitation.url });
  return { imitation, gitDir: remote.gitDir, pushUrl: remote.cloneUrl, user, environment };
}

/** Sets up a task whose merge request is open on the imitation: the common start of several tests. */
async function openedMergeRequest(name: string) {
  const setup = await gitlabEnvironment(name);
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

it("pushes the branch and opens the merge request with the task's title, the agent's summary, the files and a link back", async () => {
  const { imitation, gitDir, user, environment } = await gitlabEnvironment("gl-open");
  const task = await finishedTask(
    scripted.model,
    user.id,
    environment.id,
    "gl-open",
    addGreeting,
    "Greeting now uses a template literal.",
    "Use a template literal in greet",
  );

  const requested = await requestPullRequest(user.id, task.id);
  expect(requested).toMatchObject({ status: "queued", kind: "gitlab", baseBranch: "main", url: null, number: null });
  expect(requested.branch).toBe(pullRequestBranch(task.title, task.id));
  const row = await settledPullRequest(task.id);

  const [mergeRequest, ...others] = imitation.mergeRequests(REPOSITORY);
  expect(others).toEqual([]);
  expect(mergeRequest).toMatchObject({ iid: 1, sourceBranch: requested.branch, targetBranch: "main", title: task.title, state: "opened" });
  expect(mergeRequest?.webUrl).toBe(`${imitation.url}/acme/web/-/merge_requests/1`);
  expect(row).toMatchObject({ status: "open", error: null, number: 1, url: mergeRequest?.webUrl, turns: 1 });
  expect(mergeRequest?.description).toContain("Greeting now uses a template literal.");
  expect(mergeRequest?.description).toContain("### Files (1)\n- `src/greet.js` (+1 −1)");
  expect(mergeRequest?.description).toContain(`(${TEST_PUBLIC_URL}/tasks/${task.id})`);
  // GitLab checks mergeability after it answers the request that opened the MR: unknown until then.
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", number: 1, url: mergeRequest?.webUrl, mergeable: null, publishing: false });

  // The branch on GitLab: one commit on the base commit, with the change; GitLab's MR ref is at it.
  const head = git(gitDir, "rev-parse", `refs/heads/${requested.branch}`);
  expect(head).toBe(row.headCommit);
  expect(mergeRequest?.headSha).toBe(head);
  expect(git(gitDir, "rev-parse", `${head}^`)).toBe(repo.baseCommit);
  expect(git(gitDir, "show", `${head}:src/greet.js`)).toContain("`Hello, ${name}!`");
  expect(git(gitDir, "rev-parse", "refs/merge-requests/1/head")).toBe(head);
  expect(git(gitDir, "rev-parse", "refs/heads/main")).toBe(repo.baseCommit);

  // It looked for an MR of the branch in any state (an interrupted earlier publish may have opened one), then opened it.
  expect(apiCalls(imitation)).toEqual([`GET ${PROJECT}/merge_requests 200`, `POST ${PROJECT}/merge_requests 201`]);
  const [list, create] = imitation.requests();
  expect(list?.query).toMatchObject({ source_branch: requested.branch });
  expect(list?.query.state ?? "all").toBe("all");
  expect(create?.body).toEqual({ source_branch: requested.branch, target_branch: "main", title: task.title, description: mergeRequest?.description });
  expect(imitation.violations()).toEqual([]);

  // The token stayed on the worker host.
  expect(JSON.stringify(await listTaskEvents(task.id, 0n))).not.toContain(TOKEN);
  expect(JSON.stringify(scripted.model.requests())).not.toContain(TOKEN);
});

it("pushes a follow-up as the next commit of the same branch and updates the same merge request", async () => {
  const { imitation, gitDir, user, task, branch, row: first } = await openedMergeRequest("gl-follow");
  const opened = imitation.requests().length;

  scripted.model.registerScript("gl-follow-two", { steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }] });
  const followUp = await addFollowUp(user.id, task.id, { text: "[[script:gl-follow-two]] Write it down in NOTES.md" });
  expect((await waitForFinishedAttempt(followUp.attemptId)).status).toBe("completed");
  const row = await settledPullRequest(task.id, (entry) => entry.turns === 2 || entry.error !== null);
  expect(row).toMatchObject({ status: "open", error: null, number: first.number, url: first.url, turns: 2 });

  // Still one MR, its description rewritten for both requests and both files, its head the new commit.
  const mergeRequests = imitation.mergeRequests(REPOSITORY);
  expect(mergeRequests).toHaveLength(1);
  expect(mergeRequests[0]).toMatchObject({ iid: first.number, sourceBranch: branch, state: "opened", headSha: row.headCommit });
  const description = mergeRequests[0]?.description ?? "";
  expect(description.startsWith("Added NOTES.md.")).toBe(true);
  expect(description).toContain(
    "### Requests\n1. [[script:gl-follow-one]] Use a template literal in greet\n2. [[script:gl-follow-two]] Write it down in NOTES.md",
  );
  expect(description).toContain("### Files (2)");

  // The branch grew by one commit on top of the first.
  const second = git(gitDir, "rev-parse", `refs/heads/${branch}`);
  expect(second).toBe(row.headCommit);
  expect(git(gitDir, "rev-parse", `${second}^`)).toBe(first.headCommit);
  expect(git(gitDir, "diff", "--name-only", first.headCommit ?? "", second)).toBe("NOTES.md");

  // The MR's iid was known: its state is read (a merged MR takes no more commits), then one PUT; no search
  // and no second POST.
  expect(apiCalls(imitation).slice(opened)).toEqual([`GET ${PROJECT}/merge_requests/1 200`, `PUT ${PROJECT}/merge_requests/1 200`]);
  expect(imitation.requests().at(-1)?.body).toEqual({ title: task.title, description });
  expect(imitation.requests().filter((request) => request.method === "POST")).toHaveLength(1);
  // By now GitLab knows the MR merges cleanly, and Patchbay shows it.
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", mergeable: true, turns: 2 });
  expect(imitation.violations()).toEqual([]);
});

it("says what to do when GitLab refuses the token, to push or to use the API, without the token, and goes through once it is replaced", async () => {
  const wrongToken = "glpat-revokedToken0123456789";
  const { imitation, gitDir, pushUrl, user, environment } = await gitlabEnvironment("gl-locked", wrongToken);
  const task = await finishedTask(scripted.model, user.id, environment.id, "gl-locked", addNotes, "Added NOTES.md.", "notes");

  await requestPullRequest(user.id, task.id);
  const refused = await settledPullRequest(task.id);
  expect(refused.status).toBe("failed");
  // The push comes first, with the same token: GitLab refuses it.
  expect(refused.error).toBe(`The remote ${pushUrl} refused the environment's forge token (HTTP 401). Connect the remote again with a current token.`);
  expect(git(gitDir, "for-each-ref", "--format=%(refname)", "refs/heads/patchbay/")).toBe("");
  expect(imitation.requests()).toEqual([]);

  // A token that may push but lacks the api scope: the branch is pushed, the API answers 403.
  await updateEnvironment(user.id, environment.id, { forge: { kind: "gitlab", url: imitation.url, token: PUSH_ONLY_TOKEN } });
  await requestPullRequest(user.id, task.id);
  const scoped = await settledPullRequest(task.id);
  expect(scoped.status).toBe("failed");
  expect(scoped.error).toContain(
    "GitLab answered 403 (The request requires higher privileges than provided by the access token.) when asked to list merge requests on acme/web",
  );
  expect(scoped.error).toContain('The token needs access to this repository with the "api" scope');
  for (const token of [wrongToken, PUSH_ONLY_TOKEN, TOKEN]) expect(scoped.error).not.toContain(token);
  expect(apiCalls(imitation)).toEqual([`GET ${PROJECT}/merge_requests 403`]);
  expect(imitation.mergeRequests(REPOSITORY)).toEqual([]);

  await updateEnvironment(user.id, environment.id, { forge: { kind: "gitlab", url: imitation.url, token: TOKEN } });
  await requestPullRequest(user.id, task.id);
  expect(await settledPullRequest(task.id)).toMatchObject({ status: "open", error: null, number: 1 });
  expect(imitation.mergeRequests(REPOSITORY)).toHaveLength(1);
  expect(imitation.violations()).toEqual([]);
});

it("reads an open merge request's state and its commit statuses on the worker's refresh: checks, conflicts and a merge", async () => {
  const { imitation, task, user, row } = await openedMergeRequest("gl-refresh");
  const deps = scripted.worker.deps;
  const refreshDeps = { mirrors: deps.mirrors, logger: deps.logger, timeoutMs: 30_000, allowLocal: true, secretsKey: deps.secretsKey };
  const refreshed = async () => {
    expect(await refreshOpenPullRequests(refreshDeps, { staleMs: 0, limit: 1000 })).toBeGreaterThan(0);
    return getPullRequest(user.id, task.id);
  };
  // Only merge requests last read longer ago than staleMs are asked about.
  expect(await refreshOpenPullRequests(refreshDeps, { staleMs: 60 * 60_000, limit: 20 })).toBe(0);
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ status: "open", checks: null });

  const head = row.headCommit ?? "";
  await imitation.setCommitStatus(REPOSITORY, head, { name: "lint", status: "running" });
  expect(await refreshed()).toMatchObject({ status: "open", checks: "pending" });
  expect(apiCalls(imitation).slice(-2)).toEqual([`GET ${PROJECT}/merge_requests/1 200`, `GET ${PROJECT}/repository/commits/${head}/statuses 200`]);

  // A job allowed to fail does not fail the checks; the latest status of a job is the one that counts.
  await imitation.setCommitStatus(REPOSITORY, head, { name: "audit", status: "failed", allowFailure: true });
  await imitation.setCommitStatus(REPOSITORY, head, { name: "lint", status: "success" });
  expect(await refreshed()).toMatchObject({ checks: "success" });

  // More jobs than GitLab lists on a page (20): the failed one, listed last, is on the second page.
  for (let job = 1; job <= 20; job += 1) await imitation.setCommitStatus(REPOSITORY, head, { name: `test ${job}`, status: "success" });
  await imitation.setCommitStatus(REPOSITORY, head, { name: "deploy", status: "failed" });
  expect(await refreshed()).toMatchObject({ checks: "failure" });
  const statusPages = imitation.requests().filter((request) => request.path.endsWith("/statuses"));
  expect(statusPages.at(-1)?.query).toMatchObject({ page: "2" });

  // A conflict with main shows; then it is merged on GitLab, and the next refresh shows that. While GitLab
  // merges, the merge request is "locked": still open, not closed.
  imitation.setMergeStatus(REPOSITORY, 1, "conflict");
  expect(await refreshed()).toMatchObject({ status: "open", mergeable: false });
  await imitation.startMerge(REPOSITORY, 1);
  expect(await refreshed()).toMatchObject({ status: "open" });
  await imitation.merge(REPOSITORY, 1);
  expect(await refreshed()).toMatchObject({ status: "merged", number: 1 });
  expect(imitation.violations()).toEqual([]);
});

it("posts a review task's findings to the merge request as draft notes on its diff, published at once as one review", async () => {
  const { imitation, task, user, environment, row } = await openedMergeRequest("gl-review");
  const single = "  return `Hello, ${name}.`;";
  const range = "export function greet(name) {\n  return `Hi, ${name}.`;";
  // The review's request quotes the reviewed task's title, whose script marker comes first: the scripted
  // model follows that marker, so the review's steps are registered under it (the first run is over).
  const finding = (severity: string, startLine: number, endLine: number, title: string, extra: Record<string, string> = {}) => ({
    name: "report_finding",
    arguments: { severity, path: "src/greet.js", start_line: startLine, end_line: endLine, title, explanation: `${title}.`, ...extra },
  });
  scripted.model.registerScript("gl-review-one", {
    steps: [
      { calls: [{ name: "shell", arguments: { command: "git diff" } }] },
      {
        calls: [
          // The added line 2, with a one-line replacement.
          finding("P1", 2, 2, "Exclamation mark changes the output", { suggestion: single }),
          // Lines 1-2 (unchanged, then added), with a two-line replacement.
          finding("P2", 1, 2, "Rename the greeting", { suggestion: range }),
          // The unchanged line 3, which GitLab anchors by both its old and new numbers.
          finding("P3", 3, 3, "Closing brace"),
          {
            name: "report_finding",
            arguments: { severity: "P3", path: "README.md", start_line: 1, end_line: 1, title: "Title not updated", explanation: "Say what it greets." },
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
    prompt: "[[script:gl-review-run]] Check the output.",
  });
  expect((await waitForFinishedAttempt(review.attemptId)).status).toBe("completed");
  expect((await getTask(user.id, review.id)).attempt?.findings).toHaveLength(4);
  const before = imitation.requests().length;

  expect(await requestReviewPost(user.id, review.id)).toEqual({ status: "queued" });
  const posted = await reviewPostOutcome(user.id, review.id);
  expect(posted).toEqual({ status: "posted", url: `${imitation.url}/acme/web/-/merge_requests/1`, comments: 3 });

  // One review: the body as a general comment, each finding on a line of the diff as a diff note anchored
  // in the version whose head is the commit that was reviewed (GitLab computed its diff from main).
  const [gitlabReview, ...others] = imitation.reviews(REPOSITORY, 1);
  expect(others).toEqual([]);
  expect(imitation.draftNotes(REPOSITORY, 1)).toEqual([]);
  const [summary, ...notes] = gitlabReview?.notes ?? [];
  expect(summary).toMatchObject({ author: "patchbay-bot", type: "DiscussionNote", position: null });
  expect(summary?.body).toContain("Patchbay review: 4 finding(s).");
  expect(summary?.body).toContain("- **P3** `README.md:1` Title not updated: Say what it greets.");
  const anchor = { baseSha: repo.baseCommit, startSha: repo.baseCommit, headSha: row.headCommit, oldPath: "src/greet.js", newPath: "src/greet.js" };
  expect(notes.map((note) => ({ type: note.type, position: note.position }))).toEqual([
    { type: "DiffNote", position: { ...anchor, oldLine: null, newLine: 2 } },
    { type: "DiffNote", position: { ...anchor, oldLine: null, newLine: 2 } },
    { type: "DiffNote", position: { ...anchor, oldLine: 3, newLine: 3 } },
  ]);
  // Suggestions in GitLab's form: how many lines above the commented one they replace.
  expect(notes[0]?.body).toBe(
    `**P1: Exclamation mark changes the output**\n\nExclamation mark changes the output.\n\n\`\`\`suggestion:-0+0\n${single}\n\`\`\``,
  );
  expect(notes[1]?.body).toContain(`\`\`\`suggestion:-1+0\n${range}\n\`\`\``);
  expect(notes[2]?.body).not.toContain("suggestion");
  // The threads are there for everyone, in the order they were written.
  expect(imitation.discussions(REPOSITORY, 1).map((discussion) => discussion.notes[0]?.id)).toEqual(gitlabReview?.notes.map((note) => note.id));

  const calls = apiCalls(imitation).slice(before);
  expect(calls.filter((call) => call.includes("/draft_notes"))).toEqual([
    ...Array.from({ length: 4 }, () => `POST ${PROJECT}/merge_requests/1/draft_notes 201`),
    `POST ${PROJECT}/merge_requests/1/draft_notes/bulk_publish 204`,
  ]);
  expect(calls).toContain(`GET ${PROJECT}/merge_requests/1/versions 200`);
  expect(imitation.violations()).toEqual([]);
  await expect(requestReviewPost(user.id, review.id)).rejects.toThrow("The review was already posted");
});

it("pulls the comments people left on the merge request's lines in as drafts, once each, and sends them as one turn", async () => {
  const { imitation, task, user } = await openedMergeRequest("gl-import");
  const added = await imitation.addDiffNote(REPOSITORY, 1, { user: "alice", path: "src/greet.js", line: 2, body: "Keep the comma style." });
  await imitation.addDiffNote(REPOSITORY, 1, { user: "bob", path: "src/greet.js", line: 2, body: "Agreed.", inReplyTo: added.discussionId });
  await imitation.addDiffNote(REPOSITORY, 1, { user: "carol", path: "src/greet.js", line: 2, side: "old", body: "Why drop the concatenation?" });
  const settled = await imitation.addDiffNote(REPOSITORY, 1, { user: "dave", path: "src/greet.js", line: 1, body: "Fine as is." });
  imitation.resolveDiscussion(REPOSITORY, 1, settled.discussionId);

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
  // Pulling again adds nothing: each comment comes in once; replies stay with their thread, resolved threads out.
  expect(await imported()).toEqual({ status: "done", imported: 0 });
  const drafts = await listReviewComments(user.id, task.id);
  expect(drafts.map(({ path, line, side, body, author, state }) => ({ path, line, side, body, author, state }))).toEqual([
    { path: "src/greet.js", line: 2, side: "new", body: "Keep the comma style.", author: "alice", state: "draft" },
    { path: "src/greet.js", line: 2, side: "old", body: "Why drop the concatenation?", author: "carol", state: "draft" },
  ]);
  expect(apiCalls(imitation).filter((call) => call.includes("/discussions"))).toEqual([
    `GET ${PROJECT}/merge_requests/1/discussions 200`,
    `GET ${PROJECT}/merge_requests/1/discussions 200`,
  ]);

  // Sent like comments written in Patchbay; the agent is told who wrote each. (The scripted model follows
  // the first turn's marker, so this turn's steps are registered under it.)
  scripted.model.registerScript("gl-import-one", { steps: [{ say: "Kept the comma style." }] });
  const sent = await sendReviewComments(user.id, task.id);
  expect((await waitForFinishedAttempt(sent.attemptId)).status).toBe("completed");
  const turn = await db().turn.findUniqueOrThrow({ where: { taskId_index: { taskId: task.id, index: 1 } }, select: { prompt: true } });
  expect(turn.prompt).toContain("1. src/greet.js, line 2 (from @alice on the pull request):\n   Keep the comma style.");
  expect(turn.prompt).toContain("2. src/greet.js, line 2 (a removed line, numbered as before the change) (from @carol on the pull request):");
  expect(imitation.violations()).toEqual([]);
});

it("reviews a merge request by its address against the branch it merges into, and posts the findings to it", async () => {
  const { imitation, gitDir, user, environment } = await gitlabEnvironment("gl-mr-review");
  // A colleague's merge request, pushed and opened on GitLab without Patchbay.
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-colleague-"));
  git(work, "clone", "-q", gitDir, ".");
  git(work, "checkout", "-q", "-b", "feature/greeting");
  writeFileSync(path.join(work, "src/greet.js"), 'export function greet(name) {\n  return "Howdy, " + name;\n}\n');
  git(work, "commit", "-q", "-am", "Howdy");
  git(work, "push", "-q", "origin", "feature/greeting");
  const head = git(work, "rev-parse", "HEAD");
  const mergeRequest = await imitation.openMergeRequest(REPOSITORY, { sourceBranch: "feature/greeting", targetBranch: "main", title: "Say howdy" });
  expect(mergeRequest.webUrl).toBe(`${imitation.url}/acme/web/-/merge_requests/1`);

  // GitHub's form of the address is not GitLab's.
  await expect(createTask(user.id, { mode: "review", environmentId: environment.id, pullRequest: `${imitation.url}/acme/web/pull/1` })).rejects.toThrow(
    "is not a merge request of this environment's repository on GitLab",
  );
  scripted.model.registerScript("gl-mr-review-run", {
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
    pullRequest: mergeRequest.webUrl,
    prompt: "[[script:gl-mr-review-run]] Wording.",
  });
  expect((await waitForFinishedAttempt(review.attemptId)).status).toBe("completed");
  const shown = await getTask(user.id, review.id);
  expect(shown).toMatchObject({ mode: "review", reviewOf: null, reviewPullRequest: 1, title: "Review: pull request #1" });
  expect(shown.attempt?.findings.map((entry) => entry.title)).toEqual(["Informal greeting"]);
  // The agent read the merge request's change (from refs/merge-requests/1/head), checked out on the base.
  expect(await getTaskPatch(user.id, review.id)).toContain('+  return "Howdy, " + name;');

  await requestReviewPost(user.id, review.id);
  expect(await reviewPostOutcome(user.id, review.id)).toMatchObject({ status: "posted", comments: 1 });
  const [posted] = imitation.reviews(REPOSITORY, 1);
  expect(posted?.notes.map((note) => [note.type, note.position?.newPath, note.position?.newLine, note.position?.headSha])).toEqual([
    ["DiscussionNote", undefined, undefined, undefined],
    ["DiffNote", "src/greet.js", 2, head],
  ]);
  expect(imitation.violations()).toEqual([]);
});
