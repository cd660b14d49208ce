// Invitations on People, what the sign-in page says to someone GitHub sign-in refused, and the Workers page.
import { expect, test } from "@playwright/test";
import { signInAsAdmin } from "./fixtures/helpers";

test("an admin invites a GitHub email with a role, sees it listed and revokes it", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "People" }).click();
  const email = `invitee-${Date.now()}@e2e.test`;
  await page.getByLabel("GitHub email").fill(email);
  await page.getByLabel("Invitation role").selectOption("copywriter");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status")).toHaveText(`Invited ${email}.`);
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row).toContainText("copywriter");
  await row.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
  await expect(page.getByRole("row").filter({ hasText: email })).toHaveCount(0);
});

test("a refused GitHub sign-in lands on the login page with what to do", async ({ page }) => {
  await page.goto("/login?error=NotInvited");
  await expect(page.getByTestId("login-error")).toHaveText(/has not been invited to Patchbay\. Ask an admin to invite your GitHub email address on People\./);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("an admin sees the stack's worker live on Workers, with its slots and sandbox image", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Workers" }).click();
  await expect(page.getByRole("heading", { name: "Workers" })).toBeVisible();
  // The e2e stack runs one worker with two slots; it reports every 10 s and at once when an attempt starts.
  const live = page.getByTestId("worker-row").filter({ hasText: "live" });
  await expect(live.first()).toBeVisible({ timeout: 30_000 });
  await expect(live.first()).toContainText("/ 2");
  await expect(live.first()).toContainText("patchbay-sandbox:latest");
});
