// Screenshots in the browser: an environment with a preview, a task that changes a heading, and the
// task page showing before/after and the difference overlay for the changed route only.
import { expect, test } from "@playwright/test";
import { createPreviewAppRepo, PREVIEW_APP_CONFIG } from "@/test/support/preview-app-repo";
import { registerScript, signInAsAdmin } from "./fixtures/helpers";

const PATCH = [
  "*** Begin Patch",
  "*** Update File: locales/en.json",
  "@@",
  '-    "title": "Simple, honest pricing",',
  '+    "title": "Fair pricing for every team",',
  "*** End Patch",
].join("\n");

test("a UI change comes back with before/after screenshots and a difference overlay", async ({ page, request }) => {
  const repo = createPreviewAppRepo();
  await registerScript(request, "e2e-shots", {
    steps: [{ calls: [{ name: "apply_patch", arguments: { patch: PATCH } }] }, { say: "Renamed the pricing heading." }],
  });

  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Environments" }).click();
  await page.getByLabel("Name", { exact: true }).fill("paperkite");
  await page.getByLabel("Repository URL").fill(repo.url);
  await page.getByLabel("Install/build command").fill(PREVIEW_APP_CONFIG.installCommand);
  await page.getByLabel("Start command").fill(PREVIEW_APP_CONFIG.startCommand);
  await page.getByLabel("Port", { exact: true }).fill(String(PREVIEW_APP_CONFIG.port));
  await page.getByLabel("Readiness path").fill(PREVIEW_APP_CONFIG.readinessPath);
  await page.getByLabel("Routes to capture").fill("/\n/pricing");
  await page.getByLabel("Viewports").fill("desktop 1280x800");
  await page.getByRole("button", { name: "Create environment" }).click();
  await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

  await page.getByLabel("Environment").selectOption({ label: "paperkite" });
  await page.getByLabel("What should change?").fill("[[script:e2e-shots]] Rename the pricing heading");
  await page.getByRole("button", { name: "Run task" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 90_000 });

  const changed = page.locator('[data-testid="shot"][data-status="changed"]');
  const unchanged = page.locator('[data-testid="shot"][data-status="unchanged"]');
  await expect(changed).toHaveCount(1);
  await expect(changed).toContainText("/pricing");
  await expect(changed).toContainText("changed:");
  await expect(unchanged).toHaveCount(1);
  await expect(unchanged).toContainText("/");
  // Unchanged routes are collapsed; the changed one is open with three loaded pictures.
  await expect(unchanged).not.toHaveAttribute("open", "");
  for (const testId of ["shot-before", "shot-after", "shot-diff"]) {
    const image = changed.getByTestId(testId);
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBe(1280);
  }
  await expect(page.getByTestId("timeline-screenshot").first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("task-page.png"), fullPage: true });
});
