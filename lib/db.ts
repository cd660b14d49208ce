// The Prisma client singleton: the only importer of the generated client. Prisma 7 requires a driver
// adapter; we use node-postgres. Outside production the client is cached on globalThis so Next's hot
// reload does not open a new pool on every edit.
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { CONNECT_RETRY_WINDOW_MS, RetryingPool } from "@/lib/db-connection-retry";
import { loadDatabaseUrl } from "@/lib/env";

export type { Prisma } from "@/lib/generated/prisma/client";
export type { AttemptStatus, Role, TaskMode } from "@/lib/generated/prisma/enums";

/** Stores SQL NULL in a Json? column (a plain null is refused there by Prisma's types). */
export const DbNull = Prisma.DbNull;

/** Whether a write failed on a unique constraint (Prisma's P2002): the row is already there. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

function createClient(databaseUrl: string): PrismaClient {
  // A pool of our own so that opening a connection rides out a database restart (db-connection-retry.ts).
  const pool = new RetryingPool({ connectionString: databaseUrl, max: 10 });
  return new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    // A transaction waits for its connection as long as the pool keeps trying to open one, so a restart is
    // a pause for it too (Prisma's default is 2 s, after which a status change would fail mid-outage).
    transactionOptions: { maxWait: CONNECT_RETRY_WINDOW_MS + 5_000 },
  });
}

const cache = globalThis as unknown as { patchbayPrisma?: PrismaClient };

let client: PrismaClient | undefined;
export function db(): PrismaClient {
  if (client) return client;
  client = cache.patchbayPrisma ?? createClient(loadDatabaseUrl());
  if (process.env.NODE_ENV !== "production") cache.patchbayPrisma = client;
  return client;
}

export async function disconnectDb(): Promise<void> {
  if (!client) return;
  await client.$disconnect();
  client = undefined;
  cache.patchbayPrisma = undefined;
}
