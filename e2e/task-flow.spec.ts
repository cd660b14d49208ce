// The core flow in a browser: sign in, create an environment, submit a task, watch the timeline update
// live, review the diff, download the patch and apply it to a clean clone of the base commit.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createFixtureRepo, git } from "@/test/support/fixture-repo";
import { registerScript, signInAsAdmin } from "./fixtures/helpers";

const PATCH = [
  "*** Begin Patch",
  "*** Update File: README.md",
  "@@",
  "-A tiny repository used by Patchbay's tests.",
  "+A tiny repository used by Patchbay's end-to-end tests.",
  "*** Add File: CHANGELOG.md",
  "+# Changelog",
  "+- Clarified the README.",
  "*** End Patch",
].join("\n");

test("submit a task, watch it live, review and download the diff", async ({ page, request }) => {
  const repo = createFixtureRepo();
  await registerScript(request, "e2e-flow", {
    steps: [
      {
        say: "Reading the README first.",
        calls: [{ name: "shell", arguments: { command: "cat README.md; echo slow-step-start; sleep 3; echo slow-step-done" } }],
      },
      { calls: [{ name: "apply_patch", arguments: { patch: PATCH } }] },
      { say: "Updated the README. <b>Not bold</b> <script>window.__pwned = true</script>" },
    ],
  });

  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Environments" }).click();
  await page.getByLabel("Name", { exact: true }).fill("fixture app");
  await page.getByLabel("Repository URL").fill(repo.url);
  await page.getByRole("button", { name: "Create environment" }).click();
  await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

  // An empty prompt is refused with a message, and nothing typed is lost.
  await page.getByLabel("Branch").fill("main");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page.locator("p.error[role=alert]")).toContainText("Prompt is empty");
  await expect(page.getByLabel("Branch")).toHaveValue("main");

  await page.getByLabel("What should change?").fill("[[script:e2e-flow]] Clarify the README");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);

  // Live: the command shows while the task is still running.
  const command = page.getByTestId("timeline-command").first();
  await expect(command).toContainText("slow-step-start");
  await expect(page.getByTestId("stream-state")).toHaveText("● live");
  await expect(command).toContainText("running…");
  await expect(command).toContainText("exit 0");

  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 60_000 });
  await expect(page.getByTestId("final-message")).toContainText("<b>Not bold</b>");
  expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();

  // The diff: both files, split by default, unified on request.
  const files = page.getByTestId("diff-file");
  await expect(files).toHaveCount(2);
  await expect(page.getByTestId("diff-view")).toContainText("end-to-end tests");
  await expect(page.locator(".diff-split")).toHaveCount(2);
  await page.getByRole("button", { name: "Unified" }).click();
  await expect(page.locator(".diff-unified")).toHaveCount(2);

  // The downloaded patch applies with git apply on a clean clone of the base commit.
  const downloadPromise = page.waitForEvent("download");
  await page.getByTestId("download-patch").click();
  const download = await downloadPromise;
  const saved = path.join(mkdtempSync(path.join(tmpdir(), "pb-e2e-")), "task.patch");
  await download.saveAs(saved);
  const clone = mkdtempSync(path.join(tmpdir(), "pb-e2e-clone-"));
  git(clone, "clone", "-q", repo.dir, ".");
  git(clone, "checkout", "-q", repo.baseCommit);
  git(clone, "apply", "--check", saved);
  git(clone, "apply", saved);
  expect(readFileSync(path.join(clone, "CHANGELOG.md"), "utf8")).toBe("# Changelog\n- Clarified the README.\n");

  // The task list shows the finished task.
  await page.getByRole("link", { name: "Tasks", exact: true }).click();
  await expect(page.getByTestId("task-status").first()).toHaveText("completed");
});

test("a running task can be cancelled from its page", async ({ page, request }) => {
  const repo = createFixtureRepo();
  await registerScript(request, "e2e-slow", { steps: [{ calls: [{ name: "shell", arguments: { command: "echo waiting; sleep 25" } }] }, { say: "done" }] });
  await signInAsAdmin(page);
  const created = await page.request.post("/api/v1/environments", { data: { name: "cancel env", repoUrl: repo.url, defaultBranch: "main" } });
  expect(created.status()).toBe(201);
  await page.goto("/");
  await page.getByLabel("Environment").selectOption({ label: "cancel env" });
  await page.getByLabel("What should change?").fill("[[script:e2e-slow]] wait a while");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page.getByTestId("timeline-command").first()).toContainText("waiting");
  await page.getByRole("button", { name: "Cancel task" }).click();
  await expect(page.getByTestId("task-status")).toHaveText("cancelled", { timeout: 20_000 });
});

test("a task whose environment requires a worker label no worker has says what it waits for, and can be cancelled", async ({ page }) => {
  const repo = createFixtureRepo();
  await signInAsAdmin(page);
  const created = await page.request.post("/api/v1/environments", { data: { name: "gpu env", repoUrl: repo.url, defaultBranch: "main" } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  // The label is set on the environment page, as an engineer would.
  await page.goto(`/environments/${id}`);
  await page.getByLabel(/^Worker labels/).fill("GPU");
  await page.getByRole("button", { name: "Save setup" }).click();
  await expect(page.getByTestId("setup-saved")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(/^Worker labels/)).toHaveValue("gpu");

  await page.goto("/");
  await page.getByLabel("Environment").selectOption({ label: "gpu env" });
  await page.getByLabel("What should change?").fill("Anything at all");
  await page.getByRole("button", { name: "Run task" }).click();
  // The e2e stack's worker has no labels: the task stays queued and says why.
  await expect(page.getByTestId("task-waiting")).toHaveText("Waiting for a worker labelled gpu: no running worker has this label (PATCHBAY_WORKER_LABELS).");
  await expect(page.getByTestId("task-status")).toHaveText("queued");
  await page.getByRole("button", { name: "Cancel task" }).click();
  await expect(page.getByTestId("task-status")).toHaveText("cancelled");
  await expect(page.getByTestId("task-waiting")).toHaveCount(0);
});

test("repeated wrong passwords are refused with a rate-limit message", async ({ page }) => {
  await page.goto("/login");
  const email = `guess-${Date.now()}@e2e.test`;
  for (let attempt = 1; attempt <= 4; attempt++) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(`wrong-password-${attempt}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("p.error[role=alert]")).toHaveText("Wrong email or password.");
  }
  // The fifth failure starts a backoff (2 s, then 4 s, …): the next attempt is refused with when to retry.
  await page.getByLabel("Password").fill("wrong-password-5");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("p.error[role=alert]")).toHaveText("Wrong email or password.");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("p.error[role=alert]")).toHaveText(/^Too many failed sign-in attempts for this account\. Try again in [12] seconds?\.$/);
});

test("ask mode answers a question without producing a diff", async ({ page, request }) => {
  const repo = createFixtureRepo();
  await registerScript(request, "e2e-ask", {
    steps: [{ calls: [{ name: "shell", arguments: { command: "rg -n greet src" } }] }, { say: "The greeting is built in src/greet.js:2." }],
  });
  await signInAsAdmin(page);
  expect((await page.request.post("/api/v1/environments", { data: { name: "ask env", repoUrl: repo.url } })).status()).toBe(201);
  await page.goto("/");
  await page.getByLabel("Environment").selectOption({ label: "ask env" });
  await page.getByLabel("Mode").selectOption("ask");
  await page.getByLabel("What do you want to know?").fill("[[script:e2e-ask]] Where is the greeting built?");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 60_000 });
  await expect(page.getByTestId("final-message")).toContainText("Answer");
  await expect(page.getByTestId("final-message")).toContainText("src/greet.js:2");
  await expect(page.getByRole("heading", { name: /^Diff/ })).toHaveCount(0);
});

test("a follow-up continues the task and its diff accumulates", async ({ page, request }) => {
  const repo = createFixtureRepo();
  await registerScript(request, "e2e-turn-1", {
    steps: [
      { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Add File: NOTES.md\n+first\n*** End Patch" } }] },
      { say: "Added notes." },
    ],
  });
  await registerScript(request, "e2e-turn-2", {
    steps: [
      { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Update File: NOTES.md\n@@\n first\n+second\n*** End Patch" } }] },
      { say: "Extended notes." },
    ],
  });
  await signInAsAdmin(page);
  expect((await page.request.post("/api/v1/environments", { data: { name: "follow-up env", repoUrl: repo.url } })).status()).toBe(201);
  await page.goto("/");
  await page.getByLabel("Environment").selectOption({ label: "follow-up env" });
  await page.getByLabel("What should change?").fill("[[script:e2e-turn-1]] add notes");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  await expect(page.getByTestId("final-message")).toContainText("Added notes.", { timeout: 60_000 });

  await page.getByLabel("Follow-up").fill("[[script:e2e-turn-2]] extend the notes");
  await page.getByRole("button", { name: "Send follow-up" }).click();
  await expect(page.getByTestId("final-message")).toContainText("Extended notes.", { timeout: 60_000 });
  await expect(page.getByTestId("timeline-turn")).toHaveCount(2);
  await expect(page.getByTestId("timeline-turn").nth(1)).toContainText("extend the notes");
  await expect(page.getByTestId("diff-view")).toContainText("second");
  await expect(page.getByTestId("diff-view")).toContainText("first");
});

test("best-of-N: attempts side by side, the recommendation, and picking another", async ({ page, request }) => {
  const repo = createFixtureRepo();
  await registerScript(request, "e2e-best", {
    steps: [
      { calls: [{ name: "shell", arguments: { command: "touch marker-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \\n')" } }] },
      { say: "Left a marker." },
    ],
  });
  await signInAsAdmin(page);
  const environment = await page.request.post("/api/v1/environments", { data: { name: "best env", repoUrl: repo.url, checkCommand: "ls marker-*" } });
  expect(environment.status()).toBe(201);
  await page.goto("/");
  await page.getByLabel("Environment").selectOption({ label: "best env" });
  await page.getByLabel("Attempts").selectOption("2");
  await page.getByLabel("What should change?").fill("[[script:e2e-best]] leave a marker");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  const taskId = page.url().split("/").at(-1) ?? "";
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 90_000 });

  const rows = page.getByTestId("attempt-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("recommended");
  await expect(rows.nth(0)).toContainText("passed");
  await expect(rows.nth(0)).toHaveAttribute("data-chosen", "true");
  const before = await (await page.request.get(`/api/v1/tasks/${taskId}/diff`)).text();

  await page.getByRole("button", { name: "Use attempt 2" }).click();
  await expect(rows.nth(1)).toHaveAttribute("data-chosen", "true");
  await expect(rows.nth(1)).toContainText("selected");
  const after = await (await page.request.get(`/api/v1/tasks/${taskId}/diff`)).text();
  expect(after).toMatch(/marker-[0-9a-f]{12}/);
  expect(after).not.toBe(before);
  await expect(page.getByTestId("diff-view")).toContainText(/marker-[0-9a-f]{12}/.exec(after)?.[0] ?? "no marker");

  await page.getByLabel("Show attempt").selectOption({ label: "Attempt 2" });
  await expect(page.getByTestId("timeline-command")).toHaveCount(2);
});
