// Before the integration tests: migrate the test database and empty it, and empty the test Redis db.
// Refuses to touch anything that does not look like a test database.
import { Redis } from "ioredis";
import pg from "pg";
import { applyMigrations } from "@/scripts/db/run-migrations";

export default async function setup(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? "postgresql://patchbay:patchbay@127.0.0.1:5432/patchbay_test";
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/1";
  if (!new URL(databaseUrl).pathname.endsWith("_test")) throw new Error(`Refusing to run integration tests against ${databaseUrl}: not a *_test database.`);
  await applyMigrations(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('TRUNCATE "User", "ApiToken", "Environment", "Task", "Turn", "Attempt", "Event" CASCADE');
  await client.end();
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  redis.disconnect();
}
