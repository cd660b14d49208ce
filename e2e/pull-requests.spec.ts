// From a finished task to a branch on the team's remote, in the browser: connect a git remote (a real one
// over git's smart HTTP, with basic auth), create the pull request, send a follow-up and then two line
// comments as one turn, and see each land as the next commit of the same branch; then `task pr` from a terminal.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createFixtureRepo, git } from "@/test/support/fixture-repo";
import { type GitHttpServer, startGitHttpServer } from "@/test/support/git-http-server";
import { e2eEnv } from "./env";
import { createTokenWithCli, registerScript, signInAsAdmin } from "./fixtures/helpers";

const TOKEN = "e2e-remote-token-93b1";
let server: GitHttpServer;
let remoteRoot: string;

test.beforeAll(async () => {
  remoteRoot = mkdtempSync(path.join(tmpdir(), "pb-e2e-remote-"));
  server = await startGitHttpServer({ projectRoot: remoteRoot, username: "pat", password: TOKEN });
});

test.afterAll(async () => {
  await server?.close();
});

test("connect a remote, create the pull request, and see a follow-up and a batch of review comments land on the same branch", async ({ page, request }) => {
  const repo = createFixtureRepo();
  const remoteDir = path.join(remoteRoot, "web.git");
  git(remoteRoot, "clone", "-q", "--bare", repo.dir, remoteDir);
  const pushUrl = `${server.url}/git/web.git`;
  await registerScript(request, "e2e-pr-one", {
    steps: [
      { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Add File: CHANGELOG.md\n+# Changelog\n*** End Patch" } }] },
      { say: "Added a changelog." },
    ],
  });
  await registerScript(request, "e2e-pr-two", {
    steps: [
      {
        calls: [
          { name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Update File: CHANGELOG.md\n@@\n # Changelog\n+- First entry.\n*** End Patch" } },
        ],
      },
      { say: "Added the first entry." },
    ],
  });

  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Environments" }).click();
  await page.getByLabel("Name", { exact: true }).fill("pull requests");
  await page.getByLabel("Repository URL").fill(repo.url);
  await page.getByRole("button", { name: "Create environment" }).click();
  await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

  // Connect the remote on the environment page; a bad URL is refused with the API's message first.
  await page.getByRole("link", { name: "Environments" }).click();
  await page.getByRole("link", { name: "pull requests" }).first().click();
  const forge = page.getByTestId("forge");
  await expect(forge.getByTestId("forge-status")).toContainText("none");
  await forge.getByLabel("Kind", { exact: true }).selectOption("git");
  await forge.getByLabel(/^Push URL/).fill("not a url");
  await forge.getByLabel(/^Token/).fill(TOKEN);
  await forge.getByRole("button", { name: "Connect" }).click();
  await expect(forge.locator(".error")).toContainText('"not a url" is not a URL.');
  await expect(forge.getByLabel(/^Token/)).toHaveValue(TOKEN);
  await forge.getByLabel(/^Push URL/).fill(pushUrl);
  await forge.getByLabel("User name (optional)").fill("pat");
  await forge.getByRole("button", { name: "Connect" }).click();
  await expect(forge.getByTestId("forge-saved")).toBeVisible();
  await expect(forge.getByTestId("forge-status")).toHaveText(`git remote ${pushUrl}`);
  await expect(forge.getByLabel(/^Token/)).toHaveValue("");

  await page.getByRole("link", { name: "Tasks" }).first().click();
  await page.getByLabel("What should change?").fill("[[script:e2e-pr-one]] Add a changelog");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  const taskId = page.url().split("/").at(-1) ?? "";
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 60_000 });

  const panel = page.getByTestId("pull-request");
  await panel.getByRole("button", { name: "Create pull request" }).click();
  await expect(panel.getByTestId("pull-request-status")).toHaveText("pushed", { timeout: 60_000 });
  const branch = (await panel.getByTestId("pull-request-branch").textContent()) ?? "";
  expect(branch).toBe(`patchbay/script-e2e-pr-one-add-a-changelog-${taskId.slice(-8)}`);
  await expect(panel.getByTestId("pull-request-pushed")).toContainText("all turns");
  const first = git(remoteDir, "rev-parse", `refs/heads/${branch}`);
  expect(git(remoteDir, "rev-parse", `${first}^`)).toBe(repo.baseCommit);

  // The follow-up goes to the same branch on its own, as the next commit.
  await page.getByLabel("Follow-up").fill("[[script:e2e-pr-two]] Add the first entry");
  await page.getByRole("button", { name: "Send follow-up" }).click();
  await expect.poll(() => git(remoteDir, "rev-parse", `refs/heads/${branch}`), { timeout: 90_000 }).not.toBe(first);
  const second = git(remoteDir, "rev-parse", `refs/heads/${branch}`);
  await expect(page.getByTestId("task-status")).toHaveText("completed");
  await expect(panel.getByTestId("pull-request-pushed")).toHaveText(`${second.slice(0, 12)}, all turns`);
  expect(git(remoteDir, "rev-parse", `${second}^`)).toBe(first);
  expect(git(remoteDir, "show", `${second}:CHANGELOG.md`)).toBe("# Changelog\n- First entry.");
  expect(git(remoteDir, "for-each-ref", "--format=%(refname)", "refs/heads/patchbay/")).toBe(`refs/heads/${branch}`);

  // Review: comment on two lines of the diff, send both as one turn; the answer lands on the same branch.
  await registerScript(request, "e2e-pr-review", {
    steps: [
      {
        calls: [
          {
            name: "apply_patch",
            arguments: {
              patch: "*** Begin Patch\n*** Update File: CHANGELOG.md\n@@\n # Changelog\n-- First entry.\n+- First entry (reviewed).\n*** End Patch",
            },
          },
        ],
      },
      {
        calls: [
          { name: "reply_to_comment", arguments: { comment: 1, resolved: true, reply: "Kept the heading." } },
          { name: "reply_to_comment", arguments: { comment: 2, resolved: true, reply: "Marked the entry as reviewed." } },
        ],
      },
      { say: "Addressed both comments." },
    ],
  });
  const changelog = page.getByTestId("diff-file").filter({ hasText: "CHANGELOG.md" });
  await changelog.locator("td.diff-gutter-insert").nth(0).click();
  await page.getByLabel("Comment on CHANGELOG.md, line 1").fill("Is this heading right? [[script:e2e-pr-review]]");
  await page.getByRole("button", { name: "Add comment" }).click();
  await changelog.locator("td.diff-gutter-insert").nth(1).click();
  await page.getByLabel("Comment on CHANGELOG.md, line 2").fill("Say that it was reviewed.");
  await page.getByRole("button", { name: "Add comment" }).click();
  await expect(page.getByTestId("review-comment-state")).toHaveText(["draft", "draft"]);
  const beforeReview = second;
  await page.getByTestId("send-comments").click();
  await expect.poll(() => git(remoteDir, "rev-parse", `refs/heads/${branch}`), { timeout: 90_000 }).not.toBe(beforeReview);
  const third = git(remoteDir, "rev-parse", `refs/heads/${branch}`);
  expect(git(remoteDir, "rev-parse", `${third}^`)).toBe(beforeReview);
  expect(git(remoteDir, "show", `${third}:CHANGELOG.md`)).toBe("# Changelog\n- First entry (reviewed).");
  await expect(page.getByTestId("task-status")).toHaveText("completed");
  await expect(page.getByTestId("review-comment-state")).toHaveText(["resolved", "resolved"]);
  await expect(page.getByTestId("review-comment-reply")).toHaveText(["Agent: Kept the heading.", "Agent: Marked the entry as reviewed."]);

  // From a terminal: `task pr` on the same task publishes again and prints where the branch is.
  const token = createTokenWithCli(e2eEnv.PATCHBAY_ADMIN_EMAIL);
  // Not spawnSync: the remote's server runs in this process and must keep answering while the CLI waits.
  const cli = await promisify(execFile)("npm", ["run", "--silent", "patchbay", "--", "task", "pr", taskId], {
    encoding: "utf8",
    env: { ...process.env, PATCHBAY_URL: page.url().replace(/\/tasks\/.*$/, ""), PATCHBAY_TOKEN: token },
  });
  expect(cli.stderr).toBe("");
  expect(cli.stdout).toBe(`Pull request queued: branch ${branch}\nBranch ${branch} pushed (pushed).\n`);
  expect(git(remoteDir, "rev-parse", `refs/heads/${branch}`)).toBe(third);

  // Review mode: a review of the change reports a finding, shown in the list and in the diff; "Fix this"
  // sends it to the reviewed task as a follow-up. (The review's request quotes the task's title, whose
  // script marker the scripted model follows: the review's steps are registered under that name.)
  await registerScript(request, "e2e-pr-one", {
    steps: [
      {
        calls: [
          {
            name: "report_finding",
            arguments: { severity: "P2", path: "CHANGELOG.md", start_line: 2, end_line: 2, title: "Entry has no date", explanation: "Add the release date." },
          },
        ],
      },
      { say: "One small finding." },
    ],
  });
  await page.reload();
  await page.getByRole("button", { name: "Review this change" }).click();
  await expect(page.getByRole("heading", { name: /^Review: / })).toBeVisible();
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 60_000 });
  const finding = page.getByTestId("finding");
  await expect(finding).toHaveCount(1);
  await expect(finding).toContainText("P2 Entry has no date CHANGELOG.md:2");
  await expect(page.getByTestId("diff-finding")).toContainText("Entry has no date");
  await finding.getByRole("button", { name: "Fix this" }).click();
  await expect(page).toHaveURL(new RegExp(`/tasks/${taskId}$`));
  await expect(page.getByText("Fix this review finding (P2) in CHANGELOG.md, line 2: Entry has no date").first()).toBeVisible();
  await expect(page.getByTestId("task-status")).toHaveText(/completed|failed/, { timeout: 60_000 });
});
