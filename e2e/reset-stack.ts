// Prepares the e2e stack's state: refuses anything but a local *_test or *_e2e database, migrates it, empties it
// and the e2e Redis db, and creates the admin. Run by scripts/e2e/serve.sh before the servers start.
import { Redis } from "ioredis";
import pg from "pg";
import { ensureAdmin } from "@/lib/auth/users";
import { disconnectDb } from "@/lib/db";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { e2eEnv } from "./env";

const url = new URL(e2eEnv.DATABASE_URL);
if (!["127.0.0.1", "localhost"].includes(url.hostname) || !/_(test|e2e)$/.test(url.pathname)) {
  throw new Error(`Refusing to reset ${e2eEnv.DATABASE_URL}: e2e runs only against a local *_test or *_e2e database.`);
}
await applyMigrations(e2eEnv.DATABASE_URL);
const client = new pg.Client({ connectionString: e2eEnv.DATABASE_URL });
await client.connect();
await client.query('TRUNCATE "User", "ApiToken", "Environment", "Task", "Turn", "Attempt", "Event" CASCADE');
await client.end();
const redis = new Redis(e2eEnv.REDIS_URL);
await redis.flushdb();
redis.disconnect();
await ensureAdmin(e2eEnv.PATCHBAY_ADMIN_EMAIL, e2eEnv.PATCHBAY_ADMIN_PASSWORD);
await disconnectDb();
