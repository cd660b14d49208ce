// Which workers exist and how busy they are, for the Workers page and GET /api/v1/workers. Each worker
// reports itself to Redis with its heartbeat (worker/index.ts): a report that expires with the heartbeat,
// and a "last seen" entry that stays, so a worker that stopped reporting without saying goodbye shows as
// lost rather than disappearing. The web app never talks to Docker: this is all it knows of the hosts.
import type { Redis } from "ioredis";
import { z } from "zod";
import { requireRole } from "@/lib/auth/require-role";
import { db } from "@/lib/db";
import { redisPublisher } from "@/lib/queue/producer";

const REPORT_PREFIX = "patchbay:worker-report:";
const SEEN_KEY = "patchbay:workers-seen";
/** A worker that reported nothing for this long is forgotten (it was lost or stopped long ago). */
const FORGET_AFTER_MS = 7 * 24 * 3600_000;

const workerReportSchema = z.object({
  workerId: z.string(),
  hostName: z.string(),
  dockerVersion: z.string().nullable(),
  image: z.string(),
  imageId: z.string().nullable(),
  slots: z.number().int(),
  /** PATCHBAY_WORKER_LABELS: which environments' tasks it takes besides those that require none. */
  labels: z.array(z.string()).default([]),
  attemptIds: z.array(z.string()),
  warmReady: z.number().int(),
  startedAt: z.string(),
  reportedAt: z.string(),
});
export type WorkerReport = z.infer<typeof workerReportSchema>;

const seenSchema = z.object({ report: workerReportSchema, stoppedAt: z.string().optional() });

/** Sent with each heartbeat; `ttlSec` is the heartbeat's, so the report goes when the heartbeat does. */
export async function reportWorker(redis: Redis, report: Omit<WorkerReport, "reportedAt">, ttlSec: number): Promise<void> {
  const full = JSON.stringify({ ...report, reportedAt: new Date().toISOString() });
  await redis
    .multi()
    .set(REPORT_PREFIX + report.workerId, full, "EX", ttlSec)
    .hset(SEEN_KEY, report.workerId, JSON.stringify({ report: JSON.parse(full) }))
    .exec();
}

/** A worker that shuts down cleanly says so: it is then "stopped", not "lost". */
export async function reportWorkerStopped(redis: Redis, report: Omit<WorkerReport, "reportedAt">): Promise<void> {
  const stoppedAt = new Date().toISOString();
  const last = { ...report, attemptIds: [], reportedAt: stoppedAt };
  await redis
    .multi()
    .del(REPORT_PREFIX + report.workerId)
    .hset(SEEN_KEY, report.workerId, JSON.stringify({ report: last, stoppedAt }))
    .exec();
}

export type WorkerState = "live" | "lost" | "stopped";

export type WorkerView = Omit<WorkerReport, "attemptIds"> & {
  state: WorkerState;
  /** Slots taken by the attempts it runs. */
  busy: number;
  attempts: { attemptId: string; taskId: string | null; title: string | null }[];
  /** Setup caches kept on its host (every worker on one host shares them). */
  setupCacheBytes: number;
  stoppedAt: string | null;
};

/** Every worker that reported in the last week, live ones first. Admins only. */
export async function listWorkers(userId: string): Promise<WorkerView[]> {
  await requireRole(userId, ["admin"], "Only admins can see the workers.");
  const views = await readReports(redisPublisher());

  const attemptIds = views.flatMap((view) => (view.state === "live" ? view.report.attemptIds : []));
  const attempts = attemptIds.length
    ? await db().attempt.findMany({
        where: { id: { in: attemptIds } },
        select: { id: true, turn: { select: { task: { select: { id: true, title: true } } } } },
      })
    : [];
  const taskOf = new Map(attempts.map((attempt) => [attempt.id, attempt.turn.task]));
  const caches = await db().setupCache.groupBy({ by: ["host"], _sum: { sizeBytes: true } });
  const cacheBytes = new Map(caches.map((row) => [row.host, Number(row._sum.sizeBytes ?? 0)]));

  const order: Record<WorkerState, number> = { live: 0, lost: 1, stopped: 2 };
  return views
    .map(({ report, state, stoppedAt }) => {
      const { attemptIds: ids, ...rest } = report;
      const running = state === "live" ? ids : [];
      return {
        ...rest,
        state,
        stoppedAt,
        busy: running.length,
        attempts: running.map((attemptId) => ({ attemptId, taskId: taskOf.get(attemptId)?.id ?? null, title: taskOf.get(attemptId)?.title ?? null })),
        setupCacheBytes: cacheBytes.get(report.hostName) ?? 0,
      };
    })
    .sort((a, b) => order[a.state] - order[b.state] || a.hostName.localeCompare(b.hostName) || a.workerId.localeCompare(b.workerId));
}

/** The labels of each live worker, to tell a queued task whether anyone can run it. */
export async function liveWorkerLabels(): Promise<string[][]> {
  const views = await readReports(redisPublisher());
  return views.filter((view) => view.state === "live").map((view) => view.report.labels);
}

/** Each worker seen in the last week with its current report when it is live, else its last one. */
async function readReports(redis: Redis): Promise<{ report: WorkerReport; state: WorkerState; stoppedAt: string | null }[]> {
  const seen = await redis.hgetall(SEEN_KEY);
  const now = Date.now();
  const entries = Object.entries(seen).flatMap(([workerId, raw]) => {
    const parsed = parseJson(raw, seenSchema);
    if (!parsed || now - Date.parse(parsed.report.reportedAt) > FORGET_AFTER_MS) {
      void redis.hdel(SEEN_KEY, workerId).catch(() => undefined);
      return [];
    }
    return [parsed];
  });
  const live = entries.length ? await redis.mget(entries.map((entry) => REPORT_PREFIX + entry.report.workerId)) : [];
  return entries.map((entry, index) => {
    const current = parseJson(live[index] ?? null, workerReportSchema);
    const state: WorkerState = current ? "live" : entry.stoppedAt ? "stopped" : "lost";
    return { report: current ?? entry.report, state, stoppedAt: entry.stoppedAt ?? null };
  });
}

/** A stored value, or null when it is missing or not what this version writes. */
function parseJson<T>(raw: string | null, schema: z.ZodType<T>): T | null {
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
