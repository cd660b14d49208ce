// Per-person limits on the workers' time: attempts queued or running at once, and attempts started per
// hour (PATCHBAY_MAX_RUNNING_PER_USER, PATCHBAY_MAX_ATTEMPTS_PER_HOUR). A refused submission says which
// limit and when it frees up; nothing is created. Every task, follow-up and setup check is created through
// createWithinUserLimits: the count and the insert hold one lock per person, so submissions sent at once
// cannot both pass the same count.
import { db, type Prisma } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

const HOUR_MS = 3600_000;

type Client = Prisma.TransactionClient;

/**
 * Checks the limits and runs `create` (which inserts the new attempts with `tx`) in one transaction that
 * holds the person's lock (a transaction-level advisory lock): a second submission waits for the first
 * to commit and then counts its attempts too.
 */
export async function createWithinUserLimits<T>(userId: string, newAttempts: number, create: (tx: Client) => Promise<T>): Promise<T> {
  return db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`patchbay:user-limits:${userId}`}))`;
      await assertWithinUserLimits(userId, newAttempts, new Date(), tx);
      return create(tx);
    },
    // Submissions of one person queue on the lock; give them time rather than Prisma's 2 s / 5 s defaults.
    { maxWait: 10_000, timeout: 20_000 },
  );
}

export async function assertWithinUserLimits(userId: string, newAttempts = 1, now = new Date(), client: Client = db()): Promise<void> {
  const { PATCHBAY_MAX_RUNNING_PER_USER: atOnce, PATCHBAY_MAX_ATTEMPTS_PER_HOUR: perHour } = sharedEnv();
  const mine = { turn: { task: { ownerId: userId } } };
  const active = await client.attempt.count({ where: { ...mine, status: { in: ["queued", "provisioning", "running"] } } });
  if (active + newAttempts > atOnce) {
    throw new AppError(
      "rate_limited",
      `You have ${active} attempt(s) queued or running, and the limit is ${atOnce} at once (PATCHBAY_MAX_RUNNING_PER_USER)${newAttempts > 1 ? `; this needs ${newAttempts}` : ""}. Room frees up as they finish.`,
    );
  }
  const lastHour = { ...mine, createdAt: { gt: new Date(now.getTime() - HOUR_MS) } };
  const recent = await client.attempt.count({ where: lastHour });
  const over = recent + newAttempts - perHour;
  if (over > 0) {
    // Room for this submission once the `over` oldest of the last hour are an hour old.
    const freeing = await client.attempt.findFirst({ where: lastHour, orderBy: { createdAt: "asc" }, skip: over - 1, select: { createdAt: true } });
    const freesAt = new Date((freeing?.createdAt ?? now).getTime() + HOUR_MS);
    throw new AppError(
      "rate_limited",
      `You started ${recent} attempt(s) in the last hour, and the limit is ${perHour} per hour (PATCHBAY_MAX_ATTEMPTS_PER_HOUR). Try again after ${freesAt.toISOString().slice(11, 16)} UTC.`,
    );
  }
}

/** Refuses a model the installation does not allow (PATCHBAY_ALLOWED_MODELS; empty allows any). */
export function assertModelAllowed(model: string | null | undefined): void {
  const allowed = sharedEnv().PATCHBAY_ALLOWED_MODELS;
  if (!model || allowed.length === 0 || allowed.includes(model)) return;
  throw new AppError("bad_request", `The model "${model}" is not allowed on this installation. Allowed: ${allowed.join(", ")} (PATCHBAY_ALLOWED_MODELS).`);
}
