// Copy mode as the people it is for: an admin opens the demo site and adds a copywriter; the copywriter
// finds and changes a heading and a button label purely in the browser, gets a word-level diff with
// before/after pictures, is refused an out-of-scope change with the file named, and the engineer who
// owns the environment sees the same task with its code diff and timeline.
import { expect, test, type Page } from "@playwright/test";
import { signInAsAdmin } from "./fixtures/helpers";

const COPYWRITER = { email: "words@e2e.test", password: "a long temporary password" };

// The second test uses the demo site and the copywriter the first one sets up.
test.describe.configure({ mode: "serial" });

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
}

async function openDemoTexts(page: Page) {
  await page.getByRole("navigation").getByRole("link", { name: "Copy", exact: true }).click();
  await page.getByRole("link", { name: "Paperkite demo" }).click();
  await expect(page.getByTestId("catalog-status")).toContainText("texts as of commit", { timeout: 60_000 });
}

test("a copywriter changes a heading and a button label and gets a word diff with screenshots; out-of-scope files are refused", async ({ page }) => {
  test.setTimeout(300_000);
  await signInAsAdmin(page);

  // The admin opens the demo site (a local repository the install creates) and adds a copywriter.
  await page.getByRole("navigation").getByRole("link", { name: "Copy", exact: true }).click();
  await page.getByRole("button", { name: "Try copy mode on the demo site" }).click();
  await expect(page.getByRole("heading", { name: "Texts on Paperkite demo" })).toBeVisible();
  await page.getByRole("link", { name: "People" }).click();
  await page.getByLabel("Email", { exact: true }).fill(COPYWRITER.email);
  await page.getByLabel("Temporary password").fill(COPYWRITER.password);
  await page.getByLabel("Role", { exact: true }).selectOption("copywriter");
  await page.getByRole("button", { name: "Add person" }).click();
  await expect(page.getByLabel(`Role for ${COPYWRITER.email}`)).toHaveValue("copywriter");
  await signOut(page);

  await signIn(page, COPYWRITER.email, COPYWRITER.password);
  await expect(page.getByRole("link", { name: "Environments" })).toHaveCount(0);
  await openDemoTexts(page);

  // Find the heading by searching, and the button label through the page filter.
  await page.getByLabel("Search texts").fill("honest pricing");
  await expect(page.getByTestId("copy-entry")).toHaveCount(1);
  await expect(page.getByTestId("copy-entry")).toContainText("on /pricing");
  await page.getByLabel("Text: Simple, honest pricing").fill("Fair pricing for every team");
  await page.getByLabel("Search texts").fill("");
  await page.getByLabel("Page", { exact: true }).selectOption("/pricing");
  await page.getByLabel("Text: Sign up", { exact: true }).fill("Create account");
  // Text written in the page's own markup (an htm template), not in the locale file.
  await page
    .getByLabel("Text: Prices are in US dollars per member, billed monthly. Cancel any time.")
    .fill("Prices are per member and month. Cancel any time.");
  await expect(page.getByTestId("edit-count")).toHaveText("3 texts changed");

  // A request sentence that matches several texts lists them instead of guessing.
  await page.getByLabel("Describe a change").fill('change "teams" to "crews"');
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByTestId("request-candidates").getByRole("listitem")).toHaveCount(3);

  await page.screenshot({ path: test.info().outputPath("copy-page.png"), fullPage: true });
  await page.getByRole("button", { name: "Propose change" }).click();
  await expect(page).toHaveURL(/\/tasks\/[a-z0-9]+$/);
  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 120_000 });
  const diffs = page.getByTestId("word-diff");
  await expect(diffs).toHaveCount(3);
  await expect(diffs.first().locator("del")).toHaveText("Simple, honest");
  await expect(diffs.first().locator("ins").first()).toHaveText("Fair");
  await expect(diffs.nth(1).locator("del")).toHaveText("Sign up");
  await expect(diffs.nth(1).locator("ins")).toHaveText("Create account");
  await expect(diffs.nth(2)).toContainText("Prices are");
  await expect(diffs.nth(2).locator("del").first()).toHaveText("in US dollars");
  const changed = page.locator('[data-testid="shot"][data-status="changed"]');
  await expect(changed).toHaveCount(1);
  await expect(changed).toContainText("/pricing");
  for (const testId of ["shot-before", "shot-after"]) {
    await expect.poll(() => changed.getByTestId(testId).evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBe(1280);
  }
  // No code, commands or logs for copywriters.
  await expect(page.getByRole("heading", { name: "Timeline" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: /^Diff/ })).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath("copy-task-page.png"), fullPage: true });
  const copyTaskUrl = page.url();

  // The Markdown page is outside the copywriter's paths: marked in the list, and refused when the diff is accepted.
  await openDemoTexts(page);
  await page.getByLabel("Search texts").fill("About Paperkite");
  await expect(page.getByTestId("copy-entry")).toContainText("outside your paths");
  await page.getByLabel("Text: About Paperkite").fill("About us");
  await page.getByRole("button", { name: "Propose change" }).click();
  await expect(page.getByTestId("task-status")).toHaveText("failed", { timeout: 90_000 });
  await expect(page.getByTestId("task-error")).toContainText("touches files outside your paths: content/about.md");
  await signOut(page);

  // The engineer who owns the environment reviews the same task with the code diff and timeline.
  await signInAsAdmin(page);
  await page.goto(copyTaskUrl);
  await expect(page.getByText(`Proposed by ${COPYWRITER.email}`)).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Diff/ })).toBeVisible();
  await expect(page.getByText('"signUp": "Create account"').first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Timeline" })).toBeVisible();
});

test("a copywriter changes a heading by clicking it on a picture of its page", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, COPYWRITER.email, COPYWRITER.password);
  await openDemoTexts(page);

  // The worker starts the site and pictures its pages; each text found is outlined on its picture.
  await page.getByRole("button", { name: "Take pictures of the pages" }).click();
  await expect(page.getByTestId("pictures-status")).toContainText("Pictures of commit", { timeout: 180_000 });
  await page.getByLabel("Picture of").selectOption("/pricing");
  const picture = page.getByTestId("page-picture");
  await expect.poll(() => picture.getByRole("img").evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBe(1280);
  // What the code could place is now confirmed by the picture.
  await page.getByLabel("Search texts").fill("honest pricing");
  await expect(page.getByTestId("copy-list").getByTestId("copy-entry")).toContainText("seen on /pricing");
  await page.screenshot({ path: test.info().outputPath("copy-pictures.png"), fullPage: true });

  // Each outline sits on its text at the scale the picture is shown at, however tall the page is.
  const catalog = await (await page.request.get(page.url().replace("/copy/", "/api/v1/environments/").concat("/copy"))).json();
  const shown = catalog.pictures.pictures.find((candidate: { route: string }) => candidate.route === "/pricing");
  const placed = shown.boxes.find((candidate: { text: string }) => candidate.text === "Simple, honest pricing");
  const heading = picture.getByRole("button", { name: "Edit “Simple, honest pricing”" });
  const image = await picture.getByRole("img").boundingBox();
  const outline = await heading.boundingBox();
  const scale = (image?.width ?? 0) / shown.width;
  expect(Math.abs((outline?.y ?? 0) - (image?.y ?? 0) - placed.y * scale)).toBeLessThan(2);
  expect(Math.abs((outline?.x ?? 0) - (image?.x ?? 0) - placed.x * scale)).toBeLessThan(2);
  expect(Math.abs((outline?.height ?? 0) - placed.height * scale)).toBeLessThan(2);

  await heading.click();
  await page.getByTestId("picked-texts").getByLabel("Text: Simple, honest pricing").fill("Simple, fair pricing");
  await expect(page.getByTestId("edit-count")).toHaveText("1 text changed");
  await page.getByRole("button", { name: "Propose change" }).click();

  await expect(page.getByTestId("task-status")).toHaveText("completed", { timeout: 120_000 });
  const diff = page.getByTestId("word-diff");
  await expect(diff).toHaveCount(1);
  await expect(diff.locator("del")).toHaveText("honest");
  await expect(diff.locator("ins")).toHaveText("fair");
  const changed = page.locator('[data-testid="shot"][data-status="changed"]');
  await expect(changed).toContainText("/pricing");
  for (const testId of ["shot-before", "shot-after"]) {
    await expect.poll(() => changed.getByTestId(testId).evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBe(1280);
  }
});
