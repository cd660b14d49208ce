// B14: the web's reads on a large database, against floors measured in the same run (docs/benchmarks.md §1):
// - the task list (listTasks, behind GET /api/v1/tasks and the tasks page) → floor: the bare SQL of the
//   list (the newest 50 of the user's tasks) through `pg`;
// - the task page's data (getTask, then the environment the page reads for its owner; diff stats are part
//   of the attempt) → floor: the task row and its latest turn's attempts in one bare SQL statement;
// - the timeline's first replay page (listTaskEvents, what the SSE stream sends first) → floor: the same
//   rows by bare SQL;
// - SSE replay of an attempt holding 10,000 events through taskEventStream (the events route's code path:
//   Redis subscription, paged replay, SSE framing, end), from the call to the stream's close → floor: one
//   bare `SELECT … ORDER BY seq` of those rows through `pg`.
// The data: one user with 10,000 tasks (turns, best-of-3 attempts on some) and 1,000,000 events, one attempt
// holding 10,000 of them spread over the whole id range, as a long attempt running beside many others has.
// It is seeded once with bulk INSERT … SELECT generate_series in its own *_test database
// (PATCHBAY_BENCH_DATABASE_URL, created when missing) and kept: a marker user, committed in the same
// transaction as the rest, says it is complete, so reruns skip the seeding. PATCHBAY_BENCH_WEB_RESEED=1
// drops it and seeds again. A benchmark, not a test: it never asserts timings and exits 0 unless its own
// setup fails. Run by hand: npx tsx scripts/bench/web.ts (last in `npm run bench`).
import os from "node:os";
import pg from "pg";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { gitDirty, gitSha, percentile, round2, sampleCollector, stats, writeBenchReport } from "./bench-stats";

const DATABASE_URL = process.env.PATCHBAY_BENCH_DATABASE_URL ?? "postgresql://patchbay:patchbay@127.0.0.1:5432/patchbay_bench_test";
const REDIS_URL = process.env.PATCHBAY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/3";
const RESEED = process.env.PATCHBAY_BENCH_WEB_RESEED === "1";

const TASKS = 10_000;
const EVENTS = 1_000_000;
const BIG_EVENTS = 10_000;
// The big attempt's task (one turn, one attempt, finished) sits in the middle of the list; its events are every 100th id.
const BIG_TASK = 5_001;
// Bump when the seeded shape changes: an older seed is dropped and replaced.
const SEED_VERSION = 2;
const USER_ID = `bench-web-user-v${SEED_VERSION}`;
const ENV_ID = "bench-web-env";
const BIG_TASK_ID = taskId(BIG_TASK);
const BIG_ATTEMPT_ID = `bw-a-${pad(BIG_TASK)}-0-0`;

const WARMUP = 3;
const N = 40;
const REPLAY_WARMUP = 1;
const REPLAY_N = 10;
const NOISY_LOAD1 = 0.5;
const PAGE_TARGET_MS = 100;
const REPLAY_TARGET_PER_S = 20_000;

function pad(i: number): string {
  return String(i).padStart(5, "0");
}
function taskId(i: number): string {
  return `bw-t-${pad(i)}`;
}

async function ensureDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name.endsWith("_test")) throw new Error(`Refusing to run against ${url.host}${url.pathname}: not a *_test database.`);
  const admin = new URL(DATABASE_URL);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  await applyMigrations(DATABASE_URL);
}

/** Seeds the data set unless the marker user is there; returns how long seeding took (0 when reused). */
async function seed(client: pg.Client, log: (line: string) => void): Promise<number> {
  const marker = await client.query(`SELECT 1 FROM "User" WHERE id = $1`, [USER_ID]);
  if (marker.rowCount && !RESEED) return 0;
  const started = performance.now();
  log(`seeding ${TASKS} tasks and ${EVENTS} events (once; reruns reuse them)`);
  // Everything an earlier seed made hangs off its user (cascade); nothing else in the database is touched.
  await client.query(`DELETE FROM "User" WHERE id LIKE 'bench-web-user-%'`);
  await client.query("BEGIN");
  try {
    await client.query(`INSERT INTO "User" (id, email, role) VALUES ($1, $2, 'engineer')`, [USER_ID, `${USER_ID}@bench.patchbay.test`]);
    await client.query(
      `INSERT INTO "Environment" (id, "ownerId", name, "repoUrl", "defaultBranch", "updatedAt") VALUES ($1, $2, 'bench', 'https://example.com/bench.git', 'main', now())`,
      [ENV_ID, USER_ID],
    );
    // Every 25th task is a copy change, every 10th (from 3) a question; the rest change code.
    await client.query(
      `INSERT INTO "Task" (id, "ownerId", "environmentId", mode, prompt, branch, title, "createdAt", "updatedAt")
       SELECT 'bw-t-' || lpad(i::text, 5, '0'), $1, $2,
              (CASE WHEN i % 25 = 0 THEN 'copy' WHEN i % 10 = 3 THEN 'ask' ELSE 'code' END)::"TaskMode",
              'Make the settings page remember the last tab the person opened, task ' || i || '. ' || repeat('Keep the tests green. ', 8),
              'main', 'Remember the last settings tab (' || i || ')',
              timestamp '2026-01-01' + make_interval(secs => i * 60), timestamp '2026-01-01' + make_interval(secs => i * 60 + 30)
       FROM generate_series(1, $3::int) AS i`,
      [USER_ID, ENV_ID, TASKS],
    );
    // One turn each; every 10th task has a follow-up.
    await client.query(
      `INSERT INTO "Turn" (id, "taskId", index, prompt, "createdAt")
       SELECT 'bw-u-' || lpad(i::text, 5, '0') || '-' || k, 'bw-t-' || lpad(i::text, 5, '0'), k, 'Follow-up ' || k,
              timestamp '2026-01-01' + make_interval(secs => i * 60 + k)
       FROM generate_series(1, $1::int) AS i, generate_series(0, 1) AS k
       WHERE k = 0 OR i % 10 = 0`,
      [TASKS],
    );
    // One attempt per turn; best-of-3 on the latest turn of every 20th task (from 5). Every 50th (from 7)
    // failed; the newest few still run (the big task's attempt has finished, so its stream ends).
    await client.query(
      `INSERT INTO "Attempt" (id, "turnId", index, status, error, "baseCommit", "finalMessage", patch, "filesChanged", additions, deletions,
                              "inputTokens", "outputTokens", "costUsd", steps, "checkPassed", "createdAt", "startedAt", "finishedAt")
       SELECT 'bw-a-' || lpad(t.i::text, 5, '0') || '-' || t.k || '-' || j, t.id, j,
              (CASE WHEN t.i > $1::int - 3 THEN 'running' WHEN t.i % 50 = 7 THEN 'failed' ELSE 'completed' END)::"AttemptStatus",
              CASE WHEN t.i % 50 = 7 AND t.i <= $1::int - 3 THEN 'The check command failed.' END,
              md5(t.i::text || 'base'),
              CASE WHEN t.i <= $1::int - 3 THEN repeat('Stored the tab in local storage and read it back on load. ', 8) END,
              repeat('diff --git a/src/settings.tsx b/src/settings.tsx\n+  const [tab, setTab] = useStoredTab();\n', 60),
              1 + t.i % 7, 10 + t.i % 90, t.i % 40, 12000 + t.i, 900 + t.i % 500, 0.02, 12, true,
              t.created, t.created, CASE WHEN t.i <= $1::int - 3 THEN t.created + interval '3 minutes' END
       FROM (SELECT u.id, u.index AS k, u."createdAt" AS created, substr(u.id, 6, 5)::int AS i,
                    u.index = max(u.index) OVER (PARTITION BY u."taskId") AS latest
             FROM "Turn" u WHERE u.id LIKE 'bw-u-%') AS t,
            generate_series(0, 2) AS j
       WHERE j = 0 OR (t.latest AND t.i % 20 = 5)`,
      [TASKS],
    );
    // Ids come from the sequence in g order: the big attempt's events are every 100th one, the rest go, in
    // runs, to every other attempt in turn.
    await client.query(
      `CREATE TEMP TABLE bw_other ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY "createdAt", id) - 1 AS k, id FROM "Attempt" WHERE id LIKE 'bw-a-%' AND id <> $1`,
      [BIG_ATTEMPT_ID],
    );
    const others = Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM bw_other")).rows[0]?.n ?? 0);
    const per = Math.ceil((EVENTS - BIG_EVENTS) / others);
    await client.query(
      `INSERT INTO "Event" ("attemptId", seq, type, payload, "createdAt")
       SELECT CASE WHEN g % 100 = 0 THEN $1 ELSE o.id END,
              CASE WHEN g % 100 = 0 THEN g / 100 ELSE (g - g / 100 - 1) % $2::int END,
              e.type, e.payload, timestamp '2026-01-01' + make_interval(secs => g / 2)
       FROM generate_series(1, $3::int) AS g
       LEFT JOIN bw_other o ON g % 100 <> 0 AND o.k = (g - g / 100 - 1) / $2::int
       CROSS JOIN LATERAL (SELECT
         CASE g % 7 WHEN 0 THEN 'tool.begin' WHEN 4 THEN 'tool.end' WHEN 5 THEN 'message.delta' WHEN 6 THEN 'message' ELSE 'tool.output' END AS type,
         CASE g % 7
           WHEN 0 THEN jsonb_build_object('callId', 'call_' || (g / 7), 'tool', 'shell', 'command', 'npm test -- --run src/settings', 'cwd', '/workspace')
           WHEN 4 THEN jsonb_build_object('callId', 'call_' || (g / 7), 'tool', 'shell', 'ok', true, 'exitCode', 0, 'durationMs', 1234)
           WHEN 5 THEN jsonb_build_object('text', 'Reading the settings page ')
           WHEN 6 THEN jsonb_build_object('text', 'I stored the last tab in local storage and read it back when the page loads.')
           ELSE jsonb_build_object('callId', 'call_' || (g / 7), 'stream', 'stdout', 'chunk', repeat('  ✓ src/settings.test.tsx > remembers the tab (3 ms)\n', 3))
         END AS payload) AS e
       ORDER BY g`,
      [BIG_ATTEMPT_ID, per, EVENTS],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
  await client.query(`VACUUM ANALYZE "Task", "Turn", "Attempt", "Event"`);
  const ms = performance.now() - started;
  log(`seeded in ${Math.round(ms / 1000)} s`);
  return ms;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const load1Start = os.loadavg()[0] ?? 0;
  const failures: { variant: string; error: string }[] = [];
  process.env.DATABASE_URL = DATABASE_URL;
  process.env.REDIS_URL = REDIS_URL;
  process.env.LOG_LEVEL = "silent";
  const log = (line: string) => console.error(`[web] ${line}`);

  let client: pg.Client | undefined;
  let seedMs = 0;
  try {
    await ensureDatabase();
    client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    seedMs = await seed(client, log);
  } catch (error) {
    await client?.end().catch(() => undefined);
    const report = { run: { bench: "web", gitSha: gitSha(), startedAt: startedAt.toISOString(), setupError: (error as Error).message } };
    writeBenchReport("web", startedAt, report);
    process.exit(1);
  }
  const floorClient = client;
  // Imported after DATABASE_URL and REDIS_URL are set: the modules read them on first use.
  const { disconnectDb } = await import("@/lib/db");
  const { getEnvironment } = await import("@/lib/environments/environment-queries");
  const { getTask, listTasks } = await import("@/lib/tasks/task-queries");
  const { listTaskEvents } = await import("@/lib/timeline/list-events");
  const { taskEventStream } = await import("@/lib/timeline/task-event-stream");
  const counts = (
    await floorClient.query<{ tasks: string; events: string }>(
      `SELECT (SELECT count(*) FROM "Task" WHERE "ownerId" = $1) AS tasks,
            (SELECT count(*) FROM "Event" e JOIN "Attempt" a ON a.id = e."attemptId" JOIN "Turn" u ON u.id = a."turnId" JOIN "Task" t ON t.id = u."taskId" WHERE t."ownerId" = $1) AS events`,
      [USER_ID],
    )
  ).rows[0];
  const serverVersion = (await floorClient.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "unknown";

  const replayFirstPage = 1000;
  const variants: Record<string, () => Promise<unknown>> = {
    "floor-list-sql": () =>
      floorClient.query(`SELECT id, title, mode, branch, "createdAt", "updatedAt" FROM "Task" WHERE "ownerId" = $1 ORDER BY "createdAt" DESC LIMIT 50`, [
        USER_ID,
      ]),
    "task-list": async () => {
      const tasks = await listTasks(USER_ID);
      if (tasks.length !== 50) throw new Error(`listTasks returned ${tasks.length} tasks`);
    },
    "floor-task-sql": () =>
      floorClient.query(
        `SELECT t.id, t.title, t.prompt, t.mode, t.branch, a.id AS "attemptId", a.index, a.status, a."filesChanged", a.additions, a.deletions, a."finalMessage"
         FROM "Task" t JOIN "Turn" u ON u."taskId" = t.id AND u.index = (SELECT max(index) FROM "Turn" WHERE "taskId" = t.id)
         JOIN "Attempt" a ON a."turnId" = u.id WHERE t.id = $1 AND t."ownerId" = $2`,
        [BIG_TASK_ID, USER_ID],
      ),
    "task-page": async () => {
      const task = await getTask(USER_ID, BIG_TASK_ID);
      await getEnvironment(USER_ID, task.environment.id);
    },
    "floor-events-page-sql": () =>
      floorClient.query(`SELECT id, "attemptId", seq, type, payload, "createdAt" FROM "Event" WHERE "attemptId" = $1 ORDER BY seq LIMIT ${replayFirstPage}`, [
        BIG_ATTEMPT_ID,
      ]),
    "timeline-first-page": async () => {
      const events = await listTaskEvents(BIG_TASK_ID, 0n, replayFirstPage);
      if (events.length !== replayFirstPage) throw new Error(`listTaskEvents returned ${events.length} events`);
    },
  };
  const pageIds = Object.keys(variants);
  const samples = Object.fromEntries(pageIds.map((id) => [id, sampleCollector()]));
  const runOne = async (id: string, keep: boolean) => {
    try {
      const ms = await timed(variants[id] as () => Promise<unknown>);
      if (keep) samples[id]?.add(ms);
    } catch (error) {
      if (keep) samples[id]?.add(undefined);
      failures.push({ variant: id, error: (error as Error).message });
      log(`${id} failed: ${(error as Error).message}`);
    }
  };
  // Rotating order each round, so drift in load hits every variant alike.
  for (let round = 0; round < WARMUP + N; round++) {
    for (let k = 0; k < pageIds.length; k++) await runOne(pageIds[(round + k) % pageIds.length] as string, round >= WARMUP);
  }

  const replayFloor = sampleCollector();
  const replay = sampleCollector();
  let replayEvents = 0;
  const floorReplay = async () => {
    const rows = await floorClient.query(`SELECT id, "attemptId", seq, type, payload, "createdAt" FROM "Event" WHERE "attemptId" = $1 ORDER BY seq`, [
      BIG_ATTEMPT_ID,
    ]);
    if (rows.rowCount !== BIG_EVENTS) throw new Error(`the floor read ${rows.rowCount} events`);
  };
  const sseReplay = async () => {
    const stream = taskEventStream(BIG_TASK_ID, 0n, new AbortController().signal);
    const decoder = new TextDecoder();
    let events = 0;
    let ended = false;
    let tail = "";
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      // Count SSE messages with an id line: the replayed events (retry, keepalive and end carry none).
      const text = tail + decoder.decode(chunk, { stream: true });
      const cut = text.lastIndexOf("\n\n");
      const whole = cut < 0 ? "" : text.slice(0, cut);
      tail = cut < 0 ? text : text.slice(cut + 2);
      for (const message of whole.split("\n\n")) {
        if (message.startsWith("id: ")) events++;
        else if (message.startsWith("event: end")) ended = true;
      }
    }
    if (tail.startsWith("event: end")) ended = true;
    if (events !== BIG_EVENTS || !ended) throw new Error(`the stream sent ${events} events${ended ? "" : " and no end"}`);
    replayEvents = events;
  };
  for (let round = 0; round < REPLAY_WARMUP + REPLAY_N; round++) {
    const keep = round >= REPLAY_WARMUP;
    const pair: [string, () => Promise<void>, ReturnType<typeof sampleCollector>][] = [
      ["floor-replay-sql", floorReplay, replayFloor],
      ["sse-replay", sseReplay, replay],
    ];
    if (round % 2 === 1) pair.reverse();
    for (const [id, run, into] of pair) {
      try {
        const ms = await timed(run);
        if (keep) into.add(ms);
      } catch (error) {
        if (keep) into.add(undefined);
        failures.push({ variant: id, error: (error as Error).message });
        log(`${id} failed: ${(error as Error).message}`);
      }
    }
  }
  await disconnectDb();
  await floorClient.end();

  const statsOf = (id: string) => {
    const collector = samples[id] as ReturnType<typeof sampleCollector>;
    return { ...stats(collector.samples, collector.attempts), p95: round2(percentile(collector.samples, 0.95)) };
  };
  const ratio = (p50: number, floor: number) => round2(p50 / floor);
  const floorList = statsOf("floor-list-sql");
  const floorTask = statsOf("floor-task-sql");
  const floorEvents = statsOf("floor-events-page-sql");
  const list = statsOf("task-list");
  const page = statsOf("task-page");
  const firstPage = statsOf("timeline-first-page");
  const replayFloorStats = stats(replayFloor.samples, replayFloor.attempts);
  const replayStats = stats(replay.samples, replay.attempts);
  const perSecond = (ms: number) => Math.round((BIG_EVENTS / ms) * 1000);
  const pageTarget = (p95: number) => ({ target: `p95 <= ${PAGE_TARGET_MS} ms (absolute)`, meetsTarget: p95 <= PAGE_TARGET_MS });
  const load1End = os.loadavg()[0] ?? 0;
  const report = {
    run: {
      bench: "web",
      gitSha: gitSha(),
      gitDirty: gitDirty(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      noisy: load1Start > NOISY_LOAD1 || load1End > NOISY_LOAD1,
      env: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        node: process.version,
        postgres: serverVersion,
        load1Start: round2(load1Start),
        load1End: round2(load1End),
      },
      config: {
        database: new URL(DATABASE_URL).pathname.slice(1),
        tasks: Number(counts?.tasks ?? 0),
        events: Number(counts?.events ?? 0),
        replayEvents: BIG_EVENTS,
        seededNow: seedMs > 0,
        seedMs: Math.round(seedMs),
      },
      failures,
      cleanupErrors: [],
      // The seeded rows stay in the bench's own database on purpose (reruns reuse them); nothing else is created.
      leaked: {},
    },
    floors: {
      listSql: floorList.p50,
      taskSql: floorTask.p50,
      eventsPageSql: floorEvents.p50,
      replaySql: replayFloorStats.p50,
    },
    results: [
      { id: "B14", variant: "floor-list-sql", unit: "ms", warmup: WARMUP, ...floorList, floor: "listSql", ratio: 1 },
      {
        id: "B14",
        variant: "task-list",
        unit: "ms",
        warmup: WARMUP,
        ...list,
        floor: "listSql",
        ratio: ratio(list.p50, floorList.p50),
        ...pageTarget(list.p95),
        note: "listTasks(user): the newest 50 tasks as the API and the tasks page return them",
      },
      { id: "B14", variant: "floor-task-sql", unit: "ms", warmup: WARMUP, ...floorTask, floor: "taskSql", ratio: 1 },
      {
        id: "B14",
        variant: "task-page",
        unit: "ms",
        warmup: WARMUP,
        ...page,
        floor: "taskSql",
        ratio: ratio(page.p50, floorTask.p50),
        ...pageTarget(page.p95),
        note: "getTask, then getEnvironment, as the task page loads them (the 10,000-event task)",
      },
      { id: "B14", variant: "floor-events-page-sql", unit: "ms", warmup: WARMUP, ...floorEvents, floor: "eventsPageSql", ratio: 1 },
      {
        id: "B14",
        variant: "timeline-first-page",
        unit: "ms",
        warmup: WARMUP,
        ...firstPage,
        floor: "eventsPageSql",
        ratio: ratio(firstPage.p50, floorEvents.p50),
        ...pageTarget(firstPage.p95),
        note: `listTaskEvents(task, 0, ${replayFirstPage}): the first ${replayFirstPage} events the timeline replays`,
      },
      {
        id: "B14",
        variant: "floor-replay-sql",
        unit: "ms",
        warmup: REPLAY_WARMUP,
        ...replayFloorStats,
        floor: "replaySql",
        ratio: 1,
        eventsPerSecond: perSecond(replayFloorStats.p50),
      },
      {
        id: "B14",
        variant: "sse-replay",
        unit: "ms",
        warmup: REPLAY_WARMUP,
        ...replayStats,
        floor: "replaySql",
        ratio: ratio(replayStats.p50, replayFloorStats.p50),
        eventsPerSecond: perSecond(replayStats.p50),
        target: `>= ${REPLAY_TARGET_PER_S} events/s at p50 (absolute)`,
        meetsTarget: perSecond(replayStats.p50) >= REPLAY_TARGET_PER_S,
        note: `taskEventStream from the call to its close: ${replayEvents} events replayed as SSE, then end`,
      },
    ],
  };
  const outFile = writeBenchReport("web", startedAt, report);
  console.error(`wrote ${outFile}`);
  // The timeline's shared Redis subscriber lives for the process, as in the web server.
  process.exit(0);
}

await main();
