// Environment setup in a browser: give a local repository a setup script that needs a secret, save the
// secret (shown back by name only), run Test setup twice (the second run reuses the cached result) and
// reset the cache. Real worker, real Docker, no model: a setup check never calls one.
import { expect, test } from "@playwright/test";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { signInAsAdmin } from "./fixtures/helpers";

const ENVIRONMENT = "setup check env";
const SECRET_VALUE = "demo-token-e2e-5f1c9a7b";
const SETUP_SCRIPT = [
  'test -n "$DEMO_TOKEN" && echo "setup ok" && mkdir -p node_modules/.cache-marker',
  // Printed on purpose: the timeline must show the name in its place, never the value.
  'echo "token=$DEMO_TOKEN"',
].join("\n");

test("a setup script with a secret runs once, is cached for the next run, and the cache can be reset", async ({ page }) => {
  test.setTimeout(360_000);
  const repo = createFixtureRepo();
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

  // Second check: same script, same commit: the saved result is reused and the script does not run.
  await page.getByRole("button", { name: "Test setup" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 120_000 });
  await expect(page.getByTestId("setup-verdict")).toContainText("setup: cached", { timeout: 120_000 });
  await expect(page.getByTestId("timeline-script")).toHaveCount(0);
  await expect(page.getByTestId("setup-summary")).toContainText("cache hit");

  // Reset: the environment forgets its saved setups.
  await page.goto(environmentUrl);
  await expect(page.getByTestId("cache-entries")).toHaveText("1");
  await page.getByRole("button", { name: "Reset cache" }).click();
  await expect(page.getByTestId("cache-entries")).toHaveText("0");
  await expect(page.getByRole("status").filter({ hasText: "Removed 1 saved setup" })).toBeVisible();
});
