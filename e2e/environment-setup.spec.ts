// Environment setup in a browser: give a local repository a setup script that needs a secret, save the
// secret (shown back by name only), run Test setup (the script runs and its result is cached), then a real
// agent task on the scripted model that starts from the cached result, and reset the cache. Also the
// repository credential: set, shown by kind only, removed. Real worker and Docker.
import { expect, test } from "@playwright/test";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { registerScript, signInAsAdmin } from "./fixtures/helpers";

const ENVIRONMENT = "setup check env";
const SECRET_VALUE = "demo-token-e2e-5f1c9a7b";
const SETUP_SCRIPT = [
  'test -n "$DEMO_TOKEN" && echo "setup ok" && mkdir -p node_modules && echo "made by setup" >node_modules/.setup-marker',
  // Printed on purpose: the timeline must show the name in its place, never the value.
  'echo "token=$DEMO_TOKEN"',
].join("\n");

test("a setup script with a secret runs once, an agent task starts from its cached result, and the cache can be reset", async ({ page, request }) => {
  test.setTimeout(360_000);
  const repo = createFixtureRepo();
  // The agent looks for what setup left behind, and for the secret, which only setup may see.
  await registerScript(request, "e2e-setup-cached", {
    steps: [
      { calls: [{ name: "shell", arguments: { command: 'cat node_modules/.setup-marker; echo "agent DEMO_TOKEN=${DEMO_TOKEN:-unset}"' } }] },
      { say: "The setup result is here." },
    ],
  });
  await signInAsAdmin(page);

  await page.getByRole("navigation").getByRole("link", { name: "Environments" }).click();
  await page.getByLabel("Name", { exact: true }).fill(ENVIRONMENT);
  await page.getByLabel("Repository URL").fill(repo.url);
  await page.getByRole("button", { name: "Create environment" }).click();
  await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

  await page.getByRole("navigation").getByRole("link", { name: "Environments" }).click();
  await page.getByRole("link", { name: ENVIRONMENT, exact: true }).click();
  await expect(page.getByRole("heading", { name: ENVIRONMENT })).toBeVisible();
  const environmentUrl = page.url();
  const environmentId = environmentUrl.split("/").at(-1) ?? "";
  await expect(page.getByTestId("secret-names")).toHaveText("No secrets yet.");
  await expect(page.getByTestId("cache-entries")).toHaveText("0");
  await expect(page.getByTestId("sandbox-tools")).toBeVisible();

  // A bad entry is refused with a message, and what was typed (the secret too) stays in the form.
  await page.getByLabel("Setup script", { exact: true }).fill(SETUP_SCRIPT);
  await page.getByLabel("New secret name", { exact: true }).fill("DEMO_TOKEN");
  await page.getByLabel("New secret value", { exact: true }).fill(SECRET_VALUE);
  await page.getByLabel(/^Allowed hosts/).fill("http://registry.example.com");
  await page.getByRole("button", { name: "Save setup" }).click();
  await expect(page.locator("p.error[role=alert]")).toContainText("Use a host name like example.com");
  await expect(page.getByLabel("Setup script", { exact: true })).toHaveValue(SETUP_SCRIPT);
  await expect(page.getByLabel("New secret value", { exact: true })).toHaveValue(SECRET_VALUE);

  await page.getByLabel(/^Allowed hosts/).fill("");
  await page.getByRole("button", { name: "Save setup" }).click();
  await expect(page.getByTestId("setup-saved")).toBeVisible();
  await expect(page.getByTestId("secret-name")).toHaveCount(1);
  await expect(page.getByTestId("secret-name")).toContainText("DEMO_TOKEN");
  await expect(page.getByLabel("New secret value", { exact: true })).toHaveValue("");
  expect(await page.content()).not.toContain(SECRET_VALUE);

  // Reloaded from the server: the script is stored, the secret is listed by name and its value is nowhere.
  const html = await (await page.request.get(environmentUrl)).text();
  expect(html).toContain("DEMO_TOKEN");
  expect(html).not.toContain(SECRET_VALUE);
  const dto = await (await page.request.get(`/api/v1/environments/${environmentId}`)).json();
  expect(dto).toMatchObject({ setupScript: SETUP_SCRIPT, secrets: ["DEMO_TOKEN"] });
  expect(JSON.stringify(dto)).not.toContain(SECRET_VALUE);

  // First check: nothing cached yet, so the script runs (with the secret) and its result is saved.
  await page.getByRole("button", { name: "Test setup" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 120_000 });
  await expect(page.getByTestId("setup-verdict")).toContainText("setup: ran — no cache yet", { timeout: 120_000 });
  const script = page.getByTestId("timeline-script").first();
  await expect(script).toContainText("setup ok");
  await expect(script).toContainText("token=[redacted:DEMO_TOKEN]");
  await expect(script).toContainText("exit 0");
  expect(await page.content()).not.toContain(SECRET_VALUE);
  await expect(page.getByTestId("setup-summary")).toContainText("cache miss");

  await page.goto(environmentUrl);
  await expect(page.getByTestId("cache-entries")).toHaveText("1");

  // A real agent task in the same environment: same script, same commit, so setup is not run again and
  // the agent's workspace already holds its result.
  await page.getByRole("navigation").getByRole("link", { name: "Tasks", exact: true }).click();
  await page.getByLabel("Environment").selectOption({ label: ENVIRONMENT });
  await page.getByLabel("What should change?").fill("[[script:e2e-setup-cached]] Check the setup result");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 120_000 });
  await expect(page.getByTestId("setup-verdict")).toContainText("setup: cached", { timeout: 120_000 });
  await expect(page.getByTestId("timeline-script")).toHaveCount(0);
  await expect(page.getByTestId("setup-summary")).toContainText("cache hit");
  const output = page.getByTestId("timeline-command").first().locator("pre");
  await expect(output).toContainText("made by setup");
  await expect(output).toContainText("agent DEMO_TOKEN=unset");
  await expect(page.getByTestId("final-message")).toContainText("The setup result is here.");
  expect(await page.content()).not.toContain(SECRET_VALUE);

  // Reset: the environment forgets its saved setups.
  await page.goto(environmentUrl);
  await expect(page.getByTestId("cache-entries")).toHaveText("1");
  await page.getByRole("button", { name: "Reset cache" }).click();
  await expect(page.getByTestId("cache-entries")).toHaveText("0");
  await expect(page.getByRole("status").filter({ hasText: "Removed 1 saved setup" })).toBeVisible();
});

test("a repository token is set, shown by kind only, and removed on the environment page", async ({ page }) => {
  const TOKEN = "ghp_e2eRepoToken0123456789abcdef";
  await signInAsAdmin(page);
  // Never fetched here, and the e2e stack allows local repositories, so no address check: only the URL's
  // kind matters (a token goes with https).
  const created = await page.request.post("/api/v1/environments", { data: { name: "credential env", repoUrl: "https://192.0.2.10/owner/private.git" } });
  expect(created.status()).toBe(201);
  const { id: environmentId } = await created.json();
  await page.goto(`/environments/${environmentId}`);
  // The page has a second Kind/User name/Token form (pull requests): this test is about repository access.
  const credential = page.getByTestId("repo-credential");
  const status = page.getByTestId("repo-credential-status");
  await expect(status).toHaveText("none");
  await expect(credential.getByLabel("Kind", { exact: true })).toHaveValue("token");

  // A bad token is refused with the API's message, and what was typed stays in the form.
  await credential.getByLabel(/^User name/).fill("ci-bot");
  await credential.getByLabel("Token", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Save credential" }).click();
  await expect(page.getByTestId("repo-credential").locator("p.error[role=alert]")).toContainText("The token must have at least 8 characters.");
  await expect(credential.getByLabel(/^User name/)).toHaveValue("ci-bot");
  await expect(credential.getByLabel("Token", { exact: true })).toHaveValue("short");
  await expect(status).toHaveText("none");

  await credential.getByLabel("Token", { exact: true }).fill(TOKEN);
  await page.getByRole("button", { name: "Save credential" }).click();
  await expect(status).toHaveText("token set, user name ci-bot");
  await expect(page.getByTestId("repo-credential-saved")).toHaveText("Saved. The next fetch uses it.");
  await expect(credential.getByLabel("Token", { exact: true })).toHaveValue("");
  expect(await page.content()).not.toContain(TOKEN);
  const html = await (await page.request.get(`/environments/${environmentId}`)).text();
  expect(html).toContain("token set, user name ci-bot");
  expect(html).not.toContain(TOKEN);
  const dto = await (await page.request.get(`/api/v1/environments/${environmentId}`)).json();
  expect(dto.repoCredential).toEqual({ kind: "token", username: "ci-bot" });
  expect(JSON.stringify(dto)).not.toContain(TOKEN);

  // A pasted key that is not one is refused too; the key stays in its box and the stored token stays.
  await credential.getByLabel("Kind", { exact: true }).selectOption("deployKey");
  await credential.getByLabel(/^Private key/).fill("-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key\n-----END OPENSSH PRIVATE KEY-----");
  await page.getByRole("button", { name: "Replace credential" }).click();
  await expect(page.getByTestId("repo-credential").locator("p.error[role=alert]")).toContainText("The deploy key is not a valid OpenSSH private key.");
  await expect(credential.getByLabel(/^Private key/)).toHaveValue(/not-a-key/);
  await expect(status).toHaveText("token set, user name ci-bot");

  await page.getByRole("button", { name: "Remove credential" }).click();
  await expect(status).toHaveText("none");
  await expect(page.getByTestId("repo-credential-saved")).toHaveText("Removed. The repository is fetched without a credential.");
  await expect(page.getByRole("button", { name: "Remove credential" })).toHaveCount(0);
  expect((await (await page.request.get(`/api/v1/environments/${environmentId}`)).json()).repoCredential).toBeNull();
});
