import { defineConfig } from "@playwright/test";

// End-to-end against a production build, a real worker, real services and the scripted model server,
// all started by scripts/e2e/serve.sh on their own ports and test database.
export const E2E_PORT = 3100;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    trace: process.env.CI ? "retain-on-failure" : "off",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    command: "bash scripts/e2e/serve.sh",
    url: `http://127.0.0.1:${E2E_PORT}/login`,
    timeout: 180_000,
    reuseExistingServer: false,
    // The worker drains its warm sandboxes when it is stopped, rather than leaving them for the next run.
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    stdout: "pipe",
    stderr: "pipe",
  },
});
