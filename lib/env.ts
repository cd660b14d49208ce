// The only reader of process.env. Each process parses the schema it needs once, at boot, so a missing
// or malformed variable fails at start by name instead of deep inside a job.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { parseTrustedProxies } from "@/lib/auth/client-address";
import { workerLabelsSchema } from "@/lib/workers/worker-labels";

/**
 * Copies into `target` the variables of `file` that `names` lists and `target` does not have yet (the
 * real environment wins over .env). Only the names a process's schema knows: the web process never
 * holds the model key, the worker never holds NEXTAUTH_SECRET or the admin password, even though both
 * read the same .env.
 */
export function loadDotenvInto(target: Record<string, string | undefined>, file: string, names: ReadonlySet<string>): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return; // No .env file: everything comes from the real environment.
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (names.has(name) && target[name] === undefined) target[name] = value;
  }
}

function loadDotenv(schema: z.ZodObject): void {
  loadDotenvInto(process.env, path.resolve(process.cwd(), ".env"), new Set(Object.keys(schema.shape)));
}

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((value) => value === "1" || value === "true");
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== "" ? value.trim() : undefined));
// An empty value (as in .env.example) means "not set", not 0.
const optionalPrice = optionalString.pipe(
  z.union([
    z.undefined(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, "must be a number")
      .transform(Number),
  ]),
);
// An empty value means "not set" (the default applies), not 0.
const optionalCount = (max: number) =>
  optionalString.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const count = Number(value);
    if (Number.isInteger(count) && count >= 0 && count <= max) return count;
    ctx.addIssue({ code: "custom", message: `must be a whole number from 0 to ${max}` });
    return z.NEVER;
  });
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const sharedSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url("DATABASE_URL must be a postgresql:// URL"),
  REDIS_URL: z.string().url("REDIS_URL must be a redis:// URL"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PATCHBAY_ALLOW_LOCAL_REPOS: flag,
  // Per person: attempts queued or running at once, and attempts started per hour (best-of-N counts each).
  PATCHBAY_MAX_RUNNING_PER_USER: z.coerce.number().int().min(1).default(8),
  PATCHBAY_MAX_ATTEMPTS_PER_HOUR: z.coerce.number().int().min(1).default(100),
  // Models an environment may choose (comma-separated); empty: any. The installation's PATCHBAY_MODEL is always allowed.
  PATCHBAY_ALLOWED_MODELS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  PATCHBAY_MAX_PROMPT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024),
  // This machine's own data: mirrors, workspaces, setup-cache layers, demo repositories. Screenshots are in
  // PostgreSQL; `patchbay setup` moves those an earlier version kept here into it.
  PATCHBAY_DATA_DIR: z.string().default(".data"),
  // 32 random bytes (base64) sealing environment secrets; the web seals, the worker opens. npm start writes it.
  PATCHBAY_SECRETS_KEY: optionalString,
  // Where people reach this Patchbay (https://patchbay.example.com): pull requests link back to their task.
  PATCHBAY_PUBLIC_URL: optionalString
    .pipe(z.union([z.undefined(), z.string().url("PATCHBAY_PUBLIC_URL must be a URL like https://patchbay.example.com")]))
    .transform((value) => value?.replace(/\/+$/, "")),
  // Where Slack's Web API and Linear's GraphQL API answer; only changed for testing against an imitation.
  PATCHBAY_SLACK_API_URL: optionalString.pipe(
    z.string().url("PATCHBAY_SLACK_API_URL must be a URL like https://slack.com/api/").default("https://slack.com/api/"),
  ),
  PATCHBAY_LINEAR_API_URL: optionalString.pipe(
    z.string().url("PATCHBAY_LINEAR_API_URL must be a URL like https://api.linear.app/graphql").default("https://api.linear.app/graphql"),
  ),
});

const webSchema = sharedSchema.extend({
  NEXTAUTH_SECRET: z.string().min(16, "NEXTAUTH_SECRET must be at least 16 characters"),
  NEXTAUTH_URL: z.string().url().default("http://localhost:3000"),
  GITHUB_ID: optionalString,
  GITHUB_SECRET: optionalString,
  PATCHBAY_ADMIN_EMAIL: optionalString,
  PATCHBAY_ADMIN_PASSWORD: optionalString,
  // GitHub (or GitHub Enterprise Server) web address; the API is api.github.com or <url>/api/v3.
  PATCHBAY_GITHUB_URL: optionalString
    .pipe(z.union([z.undefined(), z.string().url("PATCHBAY_GITHUB_URL must be a URL like https://github.com")]))
    .transform((value) => (value ?? "https://github.com").replace(/\/+$/, "")),
  // Comma-separated organisations whose members may join by GitHub sign-in; empty = invitations only.
  PATCHBAY_GITHUB_ALLOWED_ORGS: optionalString.transform((value) =>
    (value ?? "")
      .split(",")
      .map((org) => org.trim())
      .filter(Boolean),
  ),
  // The role of a member of an allowed organisation who joins; never admin.
  PATCHBAY_GITHUB_DEFAULT_ROLE: z
    .enum(["engineer", "copywriter"], { error: "PATCHBAY_GITHUB_DEFAULT_ROLE must be engineer or copywriter" })
    .default("engineer"),
  // Comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed (checked in lib/auth/client-address.ts).
  PATCHBAY_TRUSTED_PROXIES: optionalString.superRefine((value, context) => {
    try {
      parseTrustedProxies(value);
    } catch (error) {
      context.addIssue({ code: "custom", message: (error instanceof Error ? error.message : String(error)).replace(/^PATCHBAY_TRUSTED_PROXIES: /, "") });
    }
  }),
  // The installation's Slack app: requests from Slack are signed with this (the app's Basic Information page).
  PATCHBAY_SLACK_SIGNING_SECRET: optionalString,
  // Set by scripts/web/server.ts, never by hand: the request header that carries the connection's address.
  PATCHBAY_PEER_ADDRESS_HEADER: optionalString,
});

const workerSchema = sharedSchema.extend({
  // The Slack app's bot token (xoxb-…): Patchbay's answers in Slack are posted with it.
  PATCHBAY_SLACK_BOT_TOKEN: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString,
  PATCHBAY_MODEL: optionalString,
  PATCHBAY_DOCKER_SOCKET: z.string().default("/var/run/docker.sock"),
  // Set to the worker's own container id/name when the worker runs in Docker (docker-compose sets it).
  PATCHBAY_WORKER_CONTAINER: optionalString,
  // Comma-separated allowlist; the first entry is the default image.
  PATCHBAY_SANDBOX_IMAGES: z.string().default("patchbay-sandbox:latest"),
  PATCHBAY_WORKER_ID: optionalString,
  // Set when two installations share one database name on different servers (rare); see worker/sandbox/labels.ts.
  PATCHBAY_INSTANCE_ID: optionalString,
  PATCHBAY_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  // Comma-separated labels (gpu,large): this worker also runs the tasks of environments that require them
  // (lib/workers/worker-labels.ts). Unset = only environments that require none.
  PATCHBAY_WORKER_LABELS: workerLabelsSchema.default([]),
  // Agent sandboxes kept created and started ahead of tasks (worker/sandbox/warm-pool.ts); unset = one per
  // slot (PATCHBAY_WORKER_CONCURRENCY), 0 = none.
  PATCHBAY_WARM_POOL_SIZE: optionalCount(32),
  // Apps kept running at a branch head for the next copy change, for previews that show edits live
  // (worker/verify/warm-previews.ts); 0 = none. One removed after this many idle minutes.
  PATCHBAY_WARM_PREVIEWS: z.coerce.number().int().min(0).max(8).default(1),
  PATCHBAY_WARM_PREVIEW_IDLE_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  PATCHBAY_COMMAND_TIMEOUT_SEC: seconds(120),
  PATCHBAY_ATTEMPT_TIMEOUT_SEC: seconds(30 * 60),
  PATCHBAY_GIT_TIMEOUT_SEC: seconds(120),
  PATCHBAY_MODEL_TIMEOUT_SEC: seconds(300),
  PATCHBAY_MAX_STEPS: z.coerce.number().int().positive().default(60),
  PATCHBAY_MAX_TOKENS: z.coerce.number().int().positive().default(3_000_000),
  // Model prices in USD per million tokens, for cost estimates; unset = no cost estimate or budget.
  PATCHBAY_PRICE_INPUT_PER_MTOK: optionalPrice,
  PATCHBAY_PRICE_OUTPUT_PER_MTOK: optionalPrice,
  // Estimated cost budget per attempt in USD (needs the prices); 0 = none.
  PATCHBAY_MAX_COST_USD: z.coerce.number().min(0).default(0),
  // The model's context window in tokens: at 80% of it the conversation is compacted.
  PATCHBAY_CONTEXT_WINDOW: z.coerce.number().int().min(1000).default(200_000),
  // Environments with a setup script: how long it may run, and how long / how much its cached result is kept.
  PATCHBAY_SETUP_TIMEOUT_SEC: seconds(20 * 60),
  PATCHBAY_SETUP_CACHE_TTL_DAYS: z.coerce.number().positive().default(7),
  PATCHBAY_SETUP_CACHE_BUDGET_GB: z.coerce.number().positive().default(20),
  // Repository mirrors on a worker host: removed when unused this long, and least recently used first past the budget.
  PATCHBAY_MIRROR_TTL_DAYS: z.coerce.number().positive().default(30),
  PATCHBAY_MIRROR_BUDGET_GB: z.coerce.number().positive().default(20),
  // Screenshots and other artifacts: past this, the oldest of finished attempts are removed (the task says so).
  PATCHBAY_ARTIFACT_BUDGET_GB: z.coerce.number().positive().default(20),
  // Size cap of each sandbox's workspace and home (ext4 on a loop device; needs root): 10g, 512m, 0 = none.
  PATCHBAY_WORKSPACE_SIZE: z
    .string()
    .regex(/^\d+(\.\d+)?[kmgtKMGT]?[bB]?$/, "use a size like 10g or 512m, or 0")
    .default("10g"),
  PATCHBAY_SANDBOX_MEMORY_MB: z.coerce.number().int().min(256).max(65536).default(4096),
  PATCHBAY_SANDBOX_CPUS: z.coerce.number().positive().max(64).default(2),
  // A worker running as root starts the screenshot browser as this unprivileged user id (65534 is "nobody"),
  // so that Chromium's own sandbox is on.
  PATCHBAY_BROWSER_UID: z.coerce.number().int().min(1, "must not be 0 (root)").max(4294967294).default(65534),
});

/** The variables each process reads (and so the only ones it takes from .env). */
export function envNamesFor(process: "web" | "worker"): ReadonlySet<string> {
  return new Set(Object.keys((process === "web" ? webSchema : workerSchema).shape));
}

export type WebEnv = z.infer<typeof webSchema>;
export type WorkerEnv = z.infer<typeof workerSchema>;

function parse<T extends z.ZodObject>(schema: T, name: string): z.infer<T> {
  loadDotenv(schema);
  const result = schema.safeParse(process.env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid ${name} configuration (see .env.example):\n${problems}`);
  }
  return result.data;
}

let webEnvCache: WebEnv | undefined;
export function webEnv(): WebEnv {
  webEnvCache ??= parse(webSchema, "web");
  return webEnvCache;
}

let workerEnvCache: WorkerEnv | undefined;
export function workerEnv(): WorkerEnv {
  workerEnvCache ??= parse(workerSchema, "worker");
  return workerEnvCache;
}

/** The part both processes need; used by modules shared by web and worker (db, queue). */
let sharedEnvCache: z.infer<typeof sharedSchema> | undefined;
export function sharedEnv(): z.infer<typeof sharedSchema> {
  sharedEnvCache ??= parse(sharedSchema, "shared");
  return sharedEnvCache;
}

export function loadDatabaseUrl(): string {
  return sharedEnv().DATABASE_URL;
}
