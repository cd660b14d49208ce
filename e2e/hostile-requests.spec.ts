// Requests a hostile client sends, against the running stack: odd ids are a 404, oversized and NUL
// bodies are refused before they reach the database, and every page carries a nonce-based Content
// Security Policy that forbids framing, under which the app still works in Chromium.
import { expect, test } from "@playwright/test";
import { createTokenWithCli } from "./fixtures/helpers";

test("ids, bodies and headers a hostile client sends are refused cleanly", async ({ request }) => {
  const auth = { authorization: `Bearer ${createTokenWithCli("hostile@e2e.test")}` };

  for (const path of ["/api/v1/tasks/abc%00def", `/api/v1/tasks/${"a".repeat(300)}`, "/api/v1/environments/..%2F..%2Fetc", "/api/v1/artifacts/%00"]) {
    const response = await request.get(path, { headers: auth });
    expect(response.status(), path).toBe(404);
    expect((await response.json()).error.code, path).toBe("not_found");
  }

  const nul = await request.post("/api/v1/tasks", {
    headers: { ...auth, "content-type": "application/json" },
    data: '{"environmentId":"x","prompt":"a\\u0000b"}',
  });
  expect(nul.status()).toBe(400);
  expect((await nul.json()).error.message).toContain("NUL");

  const huge = await request.post("/api/v1/tasks", { headers: { ...auth, "content-type": "application/json" }, data: `"${"a".repeat(2 * 1024 * 1024)}"` });
  expect(huge.status()).toBe(413);

  const api = await request.get("/api/v1/tasks", { headers: auth });
  expect(api.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");
});

test("every page has a nonce-based policy that forbids framing, and the app runs under it", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load)/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/login");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("frame-ancestors 'none'");
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  // Next.js put the request's nonce on its scripts (the attribute is hidden from the DOM once parsed).
  const scripts = await page.$$eval("script", (elements) => elements.map((element) => (element as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.every((value) => value === nonce)).toBe(true);
  // The login form only works once React hydrated, which needs the nonced scripts to run.
  await expect(page.getByRole("button", { name: /sign in|create/i }).first()).toBeEnabled();
  expect(violations).toEqual([]);
});
