// The trigger inbox in the browser: turn an environment's GitHub webhook on, send a test event, and see a
// verified delivery, a refused one (a wrong signature), and a mention refused for its author that runs once
// the author's GitHub account is linked and Retry is clicked. Deliveries are GitHub's own example payload
// (@octokit/webhooks-examples), signed like GitHub signs them, sent to the built app's receiver.
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sign } from "@octokit/webhooks-methods";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { createFixtureRepo, git } from "@/test/support/fixture-repo";
import { type GitHttpServer, startGitHttpServer } from "@/test/support/git-http-server";
import { e2eEnv } from "./env";
import { registerScript, signInAsAdmin } from "./fixtures/helpers";

const TOKEN = "e2e-webhook-remote-token-5d2e";
const AUTHOR_GITHUB_ID = 77_001;
let server: GitHttpServer;

test.beforeAll(async () => {
  const root = mkdtempSync(path.join(tmpdir(), "pb-e2e-triggers-"));
  git(root, "clone", "-q", "--bare", createFixtureRepo().dir, path.join(root, "web.git"));
  server = await startGitHttpServer({ projectRoot: root, username: "x-access-token", password: TOKEN });
});

test.afterAll(async () => {
  await server?.close();
});

/** GitHub's example issue comment, as if `login` wrote `body` on issue #1 of the environment's repository. */
function mentionPayload(body: string): string {
  const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as { name: string; examples: Record<string, unknown>[] }[];
  const payload = structuredClone(examples.find((entry) => entry.name === "issue_comment")?.examples.find((entry) => entry.action === "created")) as {
    repository: { full_name: string };
    comment: { body: string; user: { login: string; id: number } };
  };
  // The repository's path on its host (the git server serves it at /git/web.git).
  payload.repository.full_name = "git/web";
  payload.comment.body = body;
  payload.comment.user = { ...payload.comment.user, login: "e2e-octo", id: AUTHOR_GITHUB_ID };
  return JSON.stringify(payload);
}

test("the inbox shows a verified, a refused and a retried trigger", async ({ page, request }) => {
  await registerScript(request, "e2e-trigger", {
    steps: [
      { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Add File: CHANGELOG.md\n+# Changelog\n*** End Patch" } }] },
      { say: "Added a changelog." },
    ],
  });
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Environments" }).click();
  await page.getByLabel("Name", { exact: true }).fill("webhooks");
  await page.getByLabel("Repository URL").fill(`${server.url}/git/web.git`);
  await page.getByRole("button", { name: "Create environment" }).click();
  await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
  await page.getByRole("link", { name: "Environments" }).click();
  await page.getByRole("link", { name: "webhooks" }).first().click();

  // The repository is private: the worker reads it with the token, and GitHub is "connected" with it too.
  const access = page.getByTestId("repo-credential");
  await access.getByLabel("Token", { exact: true }).fill(TOKEN);
  await access.getByRole("button", { name: "Save credential" }).click();
  await expect(page.getByTestId("repo-credential-saved")).toBeVisible();
  const forge = page.getByTestId("forge");
  await forge.getByLabel(/^API URL/).fill(`${server.url}/api/v3`);
  await forge.getByLabel(/^Token/).fill(TOKEN);
  await forge.getByRole("button", { name: "Connect" }).click();
  await expect(forge.getByTestId("forge-saved")).toBeVisible();

  const webhook = page.getByTestId("webhook");
  await webhook.getByRole("button", { name: "Turn on webhooks" }).click();
  const shown = webhook.getByTestId("webhook-secret");
  await expect(shown).toContainText("The secret is shown this once");
  const secret = (await shown.locator("code").nth(2).textContent()) ?? "";
  expect(secret).toMatch(/^[0-9a-f]{48}$/);
  const receiver = new URL((await webhook.getByTestId("webhook-url").textContent()) ?? "").pathname;
  expect(receiver).toMatch(/^\/api\/v1\/webhooks\/github\/[a-z0-9]+$/);

  // Verified: a test event, signed with the secret, received like GitHub's.
  await webhook.getByRole("button", { name: "Send a test event" }).click();
  await expect(webhook.getByText("Sent: see it in the")).toBeVisible();

  // Refused: a delivery whose signature was made with another secret.
  const body = mentionPayload("@patchbay [[script:e2e-trigger]] add a changelog");
  const deliver = async (signature: string, delivery: string) =>
    request.post(receiver, {
      headers: { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": delivery, "x-hub-signature-256": signature },
      data: body,
    });
  expect((await deliver(await sign("not-the-secret", body), "e2e-forged")).status()).toBe(401);
  // A mention by someone Patchbay does not know: refused, with Retry.
  expect((await deliver(await sign(secret, body), "e2e-mention")).status()).toBe(202);

  await page.getByRole("link", { name: "Triggers" }).click();
  const rows = page.getByTestId("trigger");
  await expect(rows.filter({ hasText: "ping: the webhook is set up" })).toHaveAttribute("data-status", "done");
  await expect(rows.filter({ hasText: "bad signature" })).toHaveAttribute("data-status", "refused");
  const mention = rows.filter({ hasText: "add a changelog" });
  await expect(mention).toHaveAttribute("data-status", "refused", { timeout: 60_000 });
  await expect(mention).toContainText("user not allowed: e2e-octo has no Patchbay account linked to this GitHub account");

  // The author signs in to Patchbay with GitHub (here: their GitHub id is linked to the admin account,
  // which is what that sign-in records), then Retry runs the same delivery again.
  const client = new pg.Client({ connectionString: e2eEnv.DATABASE_URL });
  await client.connect();
  await client.query(`UPDATE "User" SET "githubId" = $1 WHERE "email" = $2`, [String(AUTHOR_GITHUB_ID), e2eEnv.PATCHBAY_ADMIN_EMAIL]);
  await client.end();
  await mention.getByRole("button", { name: "Retry" }).click();
  await expect(mention).toContainText("retried");
  await expect(mention.getByRole("link", { name: "task" })).toBeVisible({ timeout: 60_000 });
  await expect(mention).toContainText("matched");
  await expect(mention).not.toHaveAttribute("data-status", "refused");
});

test("an environment's Slack settings are saved, and its test event and a stranger's mention show in the inbox", async ({ page, request }) => {
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Environments" }).click();
  await page.getByLabel("Name", { exact: true }).fill("slack-e2e");
  await page.getByLabel("Repository URL").fill(`${server.url}/git/web.git`);
  await page.getByRole("button", { name: "Create environment" }).click();
  await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
  await page.getByRole("link", { name: "Environments" }).click();
  await page.getByRole("link", { name: "slack-e2e" }).first().click();

  const slack = page.getByTestId("slack");
  await expect(slack.getByTestId("slack-not-configured")).toHaveCount(0);
  await slack.getByLabel("Name after /patchbay").fill("two words");
  await slack.getByRole("button", { name: "Save Slack settings" }).click();
  await expect(slack.getByRole("alert")).toContainText("one word");
  // What was typed stays after the refusal.
  await expect(slack.getByLabel("Name after /patchbay")).toHaveValue("two words");
  await slack.getByLabel("Name after /patchbay").fill("web-e2e");
  await slack.getByLabel(/^Channels/).fill("c0e2e00001");
  await slack.getByRole("button", { name: "Save Slack settings" }).click();
  await expect(slack.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(slack.getByLabel(/^Channels/)).toHaveValue("C0E2E00001");

  await slack.getByRole("button", { name: "Send a test event" }).click();
  await expect(slack.getByText("Sent: see it in the")).toBeVisible();

  // A mention in the environment's channel, signed as Slack signs it: the e2e worker has no bot token, so
  // the inbox says what to set rather than failing quietly.
  const body = JSON.stringify({
    type: "event_callback",
    event_id: "Ev0E2E0001",
    authorizations: [{ user_id: "U0PATCHBAY" }],
    event: { type: "app_mention", user: "U0E2E0001", channel: "C0E2E00001", text: "<@U0PATCHBAY> add a changelog", ts: "1700000000.000100" },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", e2eEnv.PATCHBAY_SLACK_SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  const answer = await request.post("/api/v1/webhooks/slack", {
    headers: { "content-type": "application/json", "x-slack-request-timestamp": timestamp, "x-slack-signature": signature },
    data: body,
  });
  expect(answer.status()).toBe(200);
  expect((await request.post("/api/v1/webhooks/slack", { headers: { "content-type": "application/json" }, data: body })).status()).toBe(401);

  await page.getByRole("link", { name: "Triggers" }).click();
  const rows = page.getByTestId("trigger");
  await expect(rows.filter({ hasText: "test: the Slack signing secret works" })).toHaveAttribute("data-status", "done");
  const mention = rows.filter({ hasText: "add a changelog — U0E2E0001" });
  await expect(mention).toHaveAttribute("data-status", "failed", { timeout: 60_000 });
  await expect(mention).toContainText("Slack is not set up on this Patchbay's worker: set PATCHBAY_SLACK_BOT_TOKEN.");
});
