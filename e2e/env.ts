// The e2e stack's settings, shared by scripts/e2e/serve.sh (through e2e/print-env.ts) and the specs.
export const e2eEnv = {
  NODE_ENV: "production",
  DATABASE_URL: "postgresql://patchbay:patchbay@127.0.0.1:5432/patchbay_e2e",
  REDIS_URL: "redis://127.0.0.1:6379/2",
  NEXTAUTH_SECRET: "e2e-secret-not-for-production-0123456789",
  NEXTAUTH_URL: "http://127.0.0.1:3100",
  PATCHBAY_SECRETS_KEY: "ZTJlLXNlY3JldHMta2V5LW5vdC1mb3ItcHJvZC14eXo",
  PATCHBAY_ALLOW_LOCAL_REPOS: "1",
  PATCHBAY_ADMIN_EMAIL: "admin@e2e.test",
  PATCHBAY_ADMIN_PASSWORD: "correct horse battery",
  OPENAI_API_KEY: "sk-e2e-model-key",
  OPENAI_BASE_URL: "http://127.0.0.1:4011/v1",
  PATCHBAY_MODEL: "scripted",
  // The Slack app's signing secret (the e2e worker has no bot token: nothing is posted to Slack).
  PATCHBAY_SLACK_SIGNING_SECRET: "e2e-slack-signing-secret",
  PATCHBAY_DATA_DIR: ".data/e2e",
  PATCHBAY_WORKER_CONCURRENCY: "2",
  PATCHBAY_COMMAND_TIMEOUT_SEC: "30",
  LOG_LEVEL: "warn",
} as const;

export const MODEL_SERVER = "http://127.0.0.1:4011";
