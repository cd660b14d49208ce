// Pull requests to a plain git remote: a real remote over git's smart HTTP (`git http-backend` with basic
// auth), a real task run by the scripted model in a sandbox, and the worker's host-side push. One task =
// one branch: the follow-up lands as the next commit of the same branch.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { getPullRequest, requestBranchUpdate, requestPullRequest } from "@/lib/pull-requests/pull-requests";
import { taskChangeSoFar } from "@/lib/tasks/earlier-turns";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { type GitHttpServer, startGitHttpServer } from "@/test/support/git-http-server";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, waitForFinishedAttempt } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";

const scripted = useScriptedWorker();
const TOKEN = "remote-push-token-4f9a";

let server: GitHttpServer;
let remoteRoot: string;
let repo: FixtureRepo;

beforeAll(async () => {
  remoteRoot = mkdtempSync(path.join(tmpdir(), "patchbay-remote-"));
  server = await startGitHttpServer({ projectRoot: remoteRoot, username: "pat", password: TOKEN });
  repo = createFixtureRepo();
});

afterAll(async () => {
  await server?.close();
});

/** A bare copy of the fixture repository on the HTTP remote, as a team's real remote would be. */
function remoteCopy(name: string): { pushUrl: string; gitDir: string } {
  const gitDir = path.join(remoteRoot, `${name}.git`);
  git(remoteRoot, "clone", "-q", "--bare", repo.dir, gitDir);
  return { pushUrl: `${server.url}/git/${name}.git`, gitDir };
}

async function waitForPullRequest(taskId: string, done: (row: { status: string; turns: number; error: string | null }) => boolean) {
  return waitFor(
    `the pull request of task ${taskId}`,
    async () => {
      const row = await db().pullRequest.findUnique({ where: { taskId } });
      return row && done(row) ? row : null;
    },
    90_000,
    200,
  );
}

const addGreeting = '*** Begin Patch\n*** Update File: src/greet.js\n@@\n-  return "Hello, " + name;\n+  return `Hello, ${name}!`;\n*** End Patch';
const addNotes = "*** Begin Patch\n*** Add File: NOTES.md\n+Greeting uses a template literal.\n*** End Patch";

it("commits the task's change on its base as branch patchbay/…, pushes it, and pushes a follow-up as the next commit of the same branch", async () => {
  const user = await createUser();
  const remote = remoteCopy("acme");
  const environment = await createEnvironment(user.id, {
    name: "pushes",
    repoUrl: repo.url,
    forge: { kind: "git", url: remote.pushUrl, username: "pat", token: TOKEN },
  });
  expect(environment.forge).toEqual({ kind: "git", url: remote.pushUrl, username: "pat" });

  scripted.model.registerScript("pr-one", {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addGreeting } }] }, { say: "Greeting now uses a template literal." }],
  });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:pr-one]] Use a template literal in greet" });
  expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");

  const requested = await requestPullRequest(user.id, task.id);
  expect(requested).toMatchObject({ status: "queued", kind: "git", baseBranch: "main", url: null, publishing: true });
  // The task's title, cut at 40 characters, then the end of the task id.
  expect(requested.branch).toBe(`patchbay/script-pr-one-use-a-template-literal-in-${task.id.slice(-8)}`);
  const pushed = await waitForPullRequest(task.id, (row) => row.status !== "queued" && row.status !== "pushing");
  expect(pushed).toMatchObject({ status: "pushed", turns: 1, error: null });

  // On the remote: one commit on the base, with the change and the author of the task.
  const branch = `refs/heads/${requested.branch}`;
  const first = git(remote.gitDir, "rev-parse", branch);
  expect(first).toBe(pushed.headCommit);
  expect(git(remote.gitDir, "rev-parse", `${first}^`)).toBe(repo.baseCommit);
  expect(git(remote.gitDir, "show", `${first}:src/greet.js`)).toContain("`Hello, ${name}!`");
  expect(git(remote.gitDir, "log", "-1", "--format=%an <%ae>|%cn|%s", first)).toBe(
    `${user.email} <${user.email}>|Patchbay|[[script:pr-one]] Use a template literal in greet`,
  );
  expect(git(remote.gitDir, "rev-parse", "refs/heads/main")).toBe(repo.baseCommit);
  expect((await getTask(user.id, task.id)).pullRequest).toMatchObject({
    status: "pushed",
    branch: requested.branch,
    headCommit: first,
    turns: 1,
    publishing: false,
  });

  // A follow-up finishes and lands on the same branch as the next commit, without asking again.
  scripted.model.registerScript("pr-two", { steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }] });
  const followUp = await addFollowUp(user.id, task.id, { text: "[[script:pr-two]] Write it down in NOTES.md" });
  expect((await waitForFinishedAttempt(followUp.attemptId)).status).toBe("completed");
  const updated = await waitForPullRequest(task.id, (row) => row.turns === 2 || row.error !== null);
  expect(updated.error).toBeNull();
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ turns: 2, publishing: false });
  const second = git(remote.gitDir, "rev-parse", branch);
  expect(second).toBe(updated.headCommit);
  expect(git(remote.gitDir, "rev-parse", `${second}^`)).toBe(first);
  expect(git(remote.gitDir, "diff", "--name-only", first, second)).toBe("NOTES.md");
  expect(git(remote.gitDir, "log", "-1", "--format=%s%n%n%b", second)).toBe("[[script:pr-two]] Write it down in NOTES.md\n\nAdded NOTES.md.");
  expect(git(remote.gitDir, "for-each-ref", "--format=%(refname)", "refs/heads/patchbay/")).toBe(branch);

  // The token was used on the host only: nothing of it in the task's timeline or in what the model saw.
  expect(JSON.stringify(await listTaskEvents(task.id, 0n))).not.toContain(TOKEN);
  expect(JSON.stringify(scripted.model.requests())).not.toContain(TOKEN);
});

it("refuses to overwrite commits it did not push, and says why", async () => {
  const user = await createUser();
  const remote = remoteCopy("shared");
  const environment = await createEnvironment(user.id, {
    name: "shared",
    repoUrl: repo.url,
    forge: { kind: "git", url: remote.pushUrl, username: "pat", token: TOKEN },
  });
  scripted.model.registerScript("pr-foreign", { steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }] });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:pr-foreign]] notes" });
  expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");
  const { branch } = await requestPullRequest(user.id, task.id);
  const pushed = await waitForPullRequest(task.id, (row) => row.status === "pushed" || row.status === "failed");
  expect(pushed.status).toBe("pushed");

  // Someone else pushes to the branch; the next publish must leave their commit where it is.
  const work = mkdtempSync(path.join(tmpdir(), "patchbay-colleague-"));
  git(work, "clone", "-q", "--branch", branch, remote.gitDir, ".");
  git(work, "commit", "-q", "--allow-empty", "-m", "colleague's commit");
  git(work, "push", "-q", "origin", branch);
  const colleague = git(work, "rev-parse", "HEAD");

  await requestPullRequest(user.id, task.id);
  const refused = await waitForPullRequest(task.id, (row) => row.error !== null);
  expect(refused.error).toContain(`The branch ${branch} on the remote has commits Patchbay did not push`);
  expect(refused.status).toBe("pushed");
  expect(git(remote.gitDir, "rev-parse", `refs/heads/${branch}`)).toBe(colleague);
});

it("fails with a clear message when the remote refuses the token, and pushes nothing", async () => {
  const user = await createUser();
  const remote = remoteCopy("locked");
  const environment = await createEnvironment(user.id, {
    name: "locked",
    repoUrl: repo.url,
    forge: { kind: "git", url: remote.pushUrl, username: "pat", token: "not-the-right-token" },
  });
  scripted.model.registerScript("pr-locked", { steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }] });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:pr-locked]] notes" });
  expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");
  await requestPullRequest(user.id, task.id);
  const failed = await waitForPullRequest(task.id, (row) => row.status === "failed");
  expect(failed.error).toBe(`The remote ${remote.pushUrl} refused the environment's forge token (HTTP 401). Connect the remote again with a current token.`);
  expect(failed.error).not.toContain("not-the-right-token");
  expect(git(remote.gitDir, "for-each-ref", "--format=%(refname)", "refs/heads/patchbay/")).toBe("");

  // With the right token, the same request goes through: nothing was lost.
  await updateEnvironment(user.id, environment.id, { forge: { kind: "git", url: remote.pushUrl, username: "pat", token: TOKEN } });
  await requestPullRequest(user.id, task.id);
  expect(await waitForPullRequest(task.id, (row) => row.status === "pushed" || row.error !== null)).toMatchObject({ status: "pushed", error: null });
});

it("explains what is missing before anything is queued", async () => {
  const user = await createUser();
  const environment = await createEnvironment(user.id, { name: "no remote", repoUrl: repo.url });
  scripted.model.registerScript("pr-none", { steps: [{ say: "Nothing to change." }] });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:pr-none]] look" });
  expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");
  await expect(requestPullRequest(user.id, task.id)).rejects.toThrow("This environment has no remote to push to.");
  await updateEnvironment(user.id, environment.id, { forge: { kind: "git", url: `${server.url}/git/none.git`, token: TOKEN } });
  await expect(requestPullRequest(user.id, task.id)).rejects.toThrow("The task changed no files, so there is nothing to put in a pull request.");
  expect(await db().pullRequest.count({ where: { taskId: task.id } })).toBe(0);
});

it("updates the branch with its base branch's new commits as a merge, and has the agent resolve a conflict on the new base", async () => {
  const user = await createUser();
  const source = createFixtureRepo();
  const gitDir = path.join(remoteRoot, "moving.git");
  git(remoteRoot, "clone", "-q", "--bare", source.dir, gitDir);
  const pushUrl = `${server.url}/git/moving.git`;
  const environment = await createEnvironment(user.id, {
    name: "moving",
    repoUrl: source.url,
    forge: { kind: "git", url: pushUrl, username: "pat", token: TOKEN },
  });
  scripted.model.registerScript("pr-moving", {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addGreeting } }] }, { say: "Template literal." }],
  });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:pr-moving]] template literal" });
  expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");
  const { branch } = await requestPullRequest(user.id, task.id);
  const first = await waitForPullRequest(task.id, (row) => row.status === "pushed" || row.status === "failed");
  expect(first.status).toBe("pushed");

  const updated = async () => {
    await requestBranchUpdate(user.id, task.id);
    return waitFor(
      "the branch update",
      async () => {
        const state = (await getPullRequest(user.id, task.id))?.branchUpdate;
        return state && state.status !== "queued" ? state : null;
      },
      90_000,
      200,
    );
  };
  expect(await updated()).toEqual({ status: "current", message: `Already up to date with main at ${source.baseCommit.slice(0, 12)}.` });

  // main moves on in a file the task did not touch: the branch gets a merge of it, pushed without force.
  writeFileSync(path.join(source.dir, "README.md"), "# Fixture app\n\nNow with a changelog.\n");
  git(source.dir, "commit", "-q", "-am", "README on main");
  const newMain = git(source.dir, "rev-parse", "HEAD");
  expect(await updated()).toEqual({ status: "updated", message: `Brought the change onto main at ${newMain.slice(0, 12)}; it applied cleanly.` });
  const merge = git(gitDir, "rev-parse", `refs/heads/${branch}`);
  expect(git(gitDir, "log", "-1", "--format=%P", merge)).toBe(`${first.headCommit} ${newMain}`);
  expect(git(gitDir, "show", `${merge}:README.md`)).toContain("Now with a changelog.");
  expect(git(gitDir, "show", `${merge}:src/greet.js`)).toContain("`Hello, ${name}!`");
  // The task continues from the new base: its change is the same, now against main's head.
  const change = await taskChangeSoFar(task.id);
  expect(change.baseCommit).toBe(newMain);
  expect(change.patch).toContain("+  return `Hello, ${name}!`;");
  expect(change.patch).not.toContain("README.md");
  expect(await getPullRequest(user.id, task.id)).toMatchObject({ headCommit: merge, turns: 2, error: null });

  // main changes the line the task changed: a conflict, which an agent turn resolves on the new base (with
  // git's conflict markers in the file), pushed as a merge once it finishes. (The scripted model follows the
  // first turn's marker, so the resolving steps are registered under it.)
  writeFileSync(path.join(source.dir, "src/greet.js"), 'export function greet(name) {\n  return "Hi, " + name;\n}\n');
  git(source.dir, "commit", "-q", "-am", "greet on main");
  const conflictMain = git(source.dir, "rev-parse", "HEAD");
  scripted.model.registerScript("pr-moving", {
    steps: [
      {
        calls: [
          { name: "shell", arguments: { command: "grep -c '^<<<<<<<' src/greet.js" } },
          { name: "shell", arguments: { command: "printf 'export function greet(name) {\\n  return `Hi, ${name}!`;\\n}\\n' > src/greet.js" } },
        ],
      },
      { say: "Kept main's greeting with the template literal." },
    ],
  });
  const conflict = await updated();
  expect(conflict).toEqual({
    status: "conflict",
    message: `The change conflicts with main at ${conflictMain.slice(0, 12)} in src/greet.js. The agent is resolving it in follow-up 2; its result is pushed as a merge of main when it finishes.`,
  });
  const resolved = await waitForPullRequest(task.id, (row) => row.turns === 3 || row.error !== null);
  expect(resolved.error).toBeNull();
  const resolving = await db().turn.findUniqueOrThrow({
    where: { taskId_index: { taskId: task.id, index: 2 } },
    select: { rebaseOnto: true, attempts: { select: { id: true } } },
  });
  expect(resolving.rebaseOnto).toBe(conflictMain);
  const sawMarkers = scripted.model
    .requests()
    .flatMap((request) => (request.body as { input?: { type?: string; output?: string }[] }).input ?? [])
    .some((item) => item.type === "function_call_output" && /^Exit code: 0[\s\S]*\n1\n/.test(item.output ?? ""));
  expect(sawMarkers).toBe(true);
  const mergeTwo = git(gitDir, "rev-parse", `refs/heads/${branch}`);
  expect(git(gitDir, "log", "-1", "--format=%P", mergeTwo)).toBe(`${merge} ${conflictMain}`);
  expect(git(gitDir, "show", `${mergeTwo}:src/greet.js`)).toBe("export function greet(name) {\n  return `Hi, ${name}!`;\n}");
  expect((await taskChangeSoFar(task.id)).baseCommit).toBe(conflictMain);
});
