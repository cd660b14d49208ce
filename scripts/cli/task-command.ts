// `npm run patchbay -- task create|watch|pr`: submit a task, follow its timeline and open its pull request
// from a terminal. It goes
// through the REST API with an API token, as any client would (PATCHBAY_TOKEN; PATCHBAY_URL, default
// http://localhost:3000), so it needs no database or checkout, only a running Patchbay.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { storedEventSchema, type StoredEvent } from "@/lib/events";

export const TASK_USAGE = `usage: npm run patchbay -- task create --env ENVIRONMENT_ID [--branch BRANCH] [--watch] PROMPT...
       npm run patchbay -- task watch TASK_ID
       npm run patchbay -- task pr TASK_ID [--no-wait]
  (PATCHBAY_TOKEN: an API token; PATCHBAY_URL: default http://localhost:3000)`;

export type TaskIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: Record<string, string | undefined> };

const DEFAULT_URL = "http://localhost:3000";
const REQUEST_TIMEOUT_MS = 30_000;
// A dropped stream is resumed from the last event it delivered; this many drops in a row end the watch.
const MAX_RECONNECTS = 5;
// How long `task pr` waits for the worker to push and open the pull request, and how often it asks.
const PR_WAIT_MS = 10 * 60_000;
const PR_POLL_MS = 1000;

/** A problem that ends the command with a one-line message: 2 for usage and configuration, 1 otherwise. */
class TaskCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

type Api = { base: string; token: string };

export async function taskCommand(argv: string[], io: TaskIo): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === "create") return await taskCreate(rest, io);
    if (sub === "watch") return await taskWatch(rest, io);
    if (sub === "pr") return await taskPullRequest(rest, io);
    io.stderr.write(`${TASK_USAGE}\n`);
    return 2;
  } catch (error) {
    if (!(error instanceof TaskCommandError)) throw error;
    io.stderr.write(`task ${sub}: ${error.message}\n`);
    return error.exitCode;
  }
}

async function taskCreate(argv: string[], io: TaskIo): Promise<number> {
  const { values, positionals } = parse(argv, { env: { type: "string" }, branch: { type: "string" }, watch: { type: "boolean" } });
  const environmentId = typeof values.env === "string" ? values.env : undefined;
  const prompt = positionals.join(" ").trim();
  if (!environmentId || prompt === "") throw new TaskCommandError(`needs --env ENVIRONMENT_ID and a prompt\n${TASK_USAGE}`, 2);
  const api = apiFrom(io.env);
  const body = { environmentId, prompt, ...(typeof values.branch === "string" ? { branch: values.branch } : {}) };
  const created = (await request(api, "/api/v1/tasks", { method: "POST", body: JSON.stringify(body) })) as { id?: unknown };
  if (typeof created.id !== "string") throw new TaskCommandError("Patchbay answered without a task id", 1);
  io.stdout.write(`Task ${created.id} created: ${api.base}/tasks/${created.id}\n`);
  return values.watch ? watch(api, created.id, io) : 0;
}

async function taskWatch(argv: string[], io: TaskIo): Promise<number> {
  const { positionals } = parse(argv, {});
  const [taskId] = positionals;
  if (!taskId || positionals.length > 1) throw new TaskCommandError(`needs one TASK_ID\n${TASK_USAGE}`, 2);
  return watch(apiFrom(io.env), taskId, io);
}

type PullRequestAnswer = { status?: string; branch?: string; url?: string | null; number?: number | null; error?: string | null; publishing?: boolean };

/** Creates the task's pull request (or publishes its latest change again) and, unless --no-wait, waits for the outcome. */
async function taskPullRequest(argv: string[], io: TaskIo): Promise<number> {
  const { values, positionals } = parse(argv, { "no-wait": { type: "boolean" } });
  const [taskId] = positionals;
  if (!taskId || positionals.length > 1) throw new TaskCommandError(`needs one TASK_ID\n${TASK_USAGE}`, 2);
  const api = apiFrom(io.env);
  const path = `/api/v1/tasks/${encodeURIComponent(taskId)}/pull-request`;
  const queued = (await request(api, path, { method: "POST" })) as PullRequestAnswer;
  io.stdout.write(`Pull request queued: branch ${queued.branch ?? "?"}\n`);
  if (values["no-wait"]) return 0;
  const until = Date.now() + PR_WAIT_MS;
  for (;;) {
    const pr = (await request(api, path)) as PullRequestAnswer | null;
    if (pr && pr.publishing === false) {
      if (pr.error || pr.status === "failed") {
        io.stdout.write(`Pull request not published: ${pr.error ?? "the worker gave no reason"}\n`);
        return 1;
      }
      io.stdout.write(pr.url ? `Pull request${pr.number ? ` #${pr.number}` : ""} (${pr.status}): ${pr.url}\n` : `Branch ${pr.branch} pushed (${pr.status}).\n`);
      return 0;
    }
    if (Date.now() > until)
      throw new TaskCommandError(
        `no answer from the worker within ${PR_WAIT_MS / 60_000} min; is it running? (npm run patchbay -- task pr ${taskId} again shows the state)`,
        1,
      );
    await new Promise((resolve) => setTimeout(resolve, PR_POLL_MS));
  }
}

/** Prints the task's timeline until it ends; 0 when it completed, 1 when it failed or was cancelled. */
async function watch(api: Api, taskId: string, io: TaskIo): Promise<number> {
  // Fails early, with the API's message, for a task that does not exist or is not the person's to see.
  await request(api, `/api/v1/tasks/${encodeURIComponent(taskId)}`);
  let lastId: string | undefined;
  let drops = 0;
  for (;;) {
    const headers: Record<string, string> = { accept: "text/event-stream", ...(lastId ? { "last-event-id": lastId } : {}) };
    let ended = false;
    try {
      const response = await open(api, `/api/v1/tasks/${encodeURIComponent(taskId)}/events`, { headers });
      for await (const message of sseMessages(response)) {
        if (message.event === "end") {
          ended = true;
          break;
        }
        const parsed = storedEventSchema.safeParse(JSON.parse(message.data));
        if (!parsed.success) continue; // an event type newer than this CLI
        lastId = parsed.data.id;
        drops = 0;
        const line = formatEvent(parsed.data);
        if (line !== null) io.stdout.write(`${line}\n`);
      }
      if (ended) break;
      // The server closed the stream before the task ended (a restart, a proxy's idle limit): resume.
      if (++drops > MAX_RECONNECTS) throw new TaskCommandError(`the timeline stream closed ${MAX_RECONNECTS} times in a row`, 1);
    } catch (error) {
      if (error instanceof TaskCommandError) throw error;
      if (++drops > MAX_RECONNECTS) throw new TaskCommandError(`lost the timeline stream ${MAX_RECONNECTS} times in a row: ${reasonOf(error)}`, 1);
    }
  }
  const task = (await request(api, `/api/v1/tasks/${encodeURIComponent(taskId)}`)) as { status?: string; error?: string | null };
  io.stdout.write(`Task ${task.status ?? "ended"}${task.error ? `: ${task.error}` : ""}: ${api.base}/tasks/${taskId}\n`);
  return task.status === "completed" ? 0 : 1;
}

/** One line per event a person follows in a terminal; streamed output and deltas are left to the web page. */
export function formatEvent(event: StoredEvent): string | null {
  switch (event.type) {
    case "turn":
      return `> ${event.payload.index === 0 ? "" : "follow-up: "}${event.payload.prompt}`;
    case "steer":
      return `> (while running) ${event.payload.text}`;
    case "status":
      return `[${event.payload.status}]${event.payload.message ? ` ${event.payload.message}` : ""}`;
    case "message":
      return `agent: ${event.payload.text.replace(/\n/g, "\n       ")}`;
    case "tool.begin":
      return event.payload.command !== undefined ? `$ ${event.payload.command}` : `· ${event.payload.tool}`;
    case "tool.end": {
      const seconds = `${(event.payload.durationMs / 1000).toFixed(1)} s`;
      if (event.payload.ok) return event.payload.summary ? `  ${event.payload.summary} (${seconds})` : null;
      const why = event.payload.timedOut ? "timed out" : (event.payload.error ?? `exit ${event.payload.exitCode ?? "?"}`);
      return `  ✗ ${event.payload.tool}: ${why} (${seconds})`;
    }
    case "diff":
      return `diff: ${event.payload.filesChanged} file(s), +${event.payload.additions} -${event.payload.deletions}`;
    case "error":
      return `error: ${event.payload.message}`;
    case "plan": {
      const done = event.payload.steps.filter((step) => step.status === "completed").length;
      return `plan: ${done}/${event.payload.steps.length} done${event.payload.explanation ? ` (${event.payload.explanation})` : ""}`;
    }
    case "preview":
      return `preview (${event.payload.side}): ${event.payload.message}`;
    case "screenshot":
      return `screenshot ${event.payload.route} ${event.payload.viewport}: ${event.payload.status}`;
    default:
      return null;
  }
}

/** The messages of a text/event-stream body: `event:` and `data:` fields, split at blank lines. */
export async function* sseMessages(response: Response): AsyncGenerator<{ event: string; data: string }> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, "\n");
    for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length > 0) yield { event, data: data.join("\n") };
    }
  }
}

function apiFrom(env: TaskIo["env"]): Api {
  const token = env.PATCHBAY_TOKEN?.trim();
  if (!token) {
    throw new TaskCommandError("set PATCHBAY_TOKEN to an API token (Settings → API tokens, or npm run patchbay -- token create --email you@example.com)", 2);
  }
  const base = (env.PATCHBAY_URL?.trim() || DEFAULT_URL).replace(/\/+$/, "");
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) throw new TaskCommandError(`PATCHBAY_URL is not an http(s) address: ${base}`, 2);
  return { base, token };
}

/** The JSON answer of a request, or the API's own error message. */
async function request(api: Api, path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await open(api, path, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return response.json();
}

async function open(api: Api, path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${api.base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
    });
  } catch (error) {
    throw new TaskCommandError(`cannot reach Patchbay at ${api.base}: ${reasonOf(error)}`, 1);
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  throw new TaskCommandError(body?.error?.message ?? `Patchbay answered ${response.status} ${response.statusText}`, 1);
}

function parse(argv: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new TaskCommandError(`${reasonOf(error)}\n${TASK_USAGE}`, 2);
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}
