import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = {
  "@": path.resolve(import.meta.dirname),
  // server-only throws outside the react-server condition; tests run as plain Node.
  "server-only": path.resolve(import.meta.dirname, "test/empty-module.ts"),
};

// Integration tests use their own database and Redis db index, never the ones `npm start` uses.
const testServiceEnv = {
  NODE_ENV: "test" as const,
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgresql://patchbay:patchbay@127.0.0.1:5432/patchbay_test",
  REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/1",
  PATCHBAY_ALLOW_LOCAL_REPOS: "1",
  NEXTAUTH_SECRET: "integration-test-secret-0123456789",
  PATCHBAY_SECRETS_KEY: "aW50ZWdyYXRpb24tdGVzdC1zZWNyZXRzLWtleS0wMTI",
  // The Slack app's signing secret: the tests sign their Slack requests with it, as Slack does.
  PATCHBAY_SLACK_SIGNING_SECRET: "integration-test-slack-signing-secret",
  LOG_LEVEL: "silent",
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["**/*.test.ts"], exclude: ["**/*.int.test.ts", "node_modules/**", "e2e/**"] },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["node_modules/**"],
          // Real Docker, Postgres and Redis: run files one at a time on a 2-core box.
          fileParallelism: false,
          globalSetup: ["test/integration-global-setup.ts"],
          env: testServiceEnv,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
