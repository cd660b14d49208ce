// Requests from the installation's Slack app (POST /api/v1/webhooks/slack): Events API deliveries (a mention
// of the app, a message in a thread Patchbay answers in) and the `/patchbay` slash command. Every request is
// verified with Slack's request signing before anything is read; work is recorded once (Slack's event id,
// the command's trigger id) and queued, and Slack gets its answer well within the three seconds it waits.
import { createHmac, randomUUID } from "node:crypto";
import { verifySlackRequest } from "@slack/bolt/dist/receivers/verify-request.js";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enqueueTrigger } from "@/lib/queue/producer";
import { readSlackEvent, readSlashCommand, type SlackRequest } from "./slack-delivery";
import { environmentForSlack } from "./slack-settings";
import { queueDelivery, recordDelivery, step, type TriggerStatus } from "./triggers";

export type SlackHttpRequest = { rawBody: string; contentType: string; signature: string | null; timestamp: string | null };
export type SlackAnswer = { status: number; body: Record<string, unknown> };

/** Slack's request signature: `v0=` and the HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function signSlackRequest(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

/**
 * A request from Slack. Throws 401 for a missing, wrong or stale signature (nothing is read or recorded: an
 * unverified request names no environment it could be recorded on).
 */
export async function receiveSlackRequest(request: SlackHttpRequest, signingSecret: string | undefined): Promise<SlackAnswer> {
  if (!signingSecret) throw new AppError("not_found", "Slack is not set up on this Patchbay (PATCHBAY_SLACK_SIGNING_SECRET is empty).");
  try {
    verifySlackRequest({
      signingSecret,
      body: request.rawBody,
      headers: { "x-slack-signature": request.signature ?? "", "x-slack-request-timestamp": Number(request.timestamp ?? Number.NaN) },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^Failed to verify authenticity: /, "") : "it does not verify";
    throw new AppError("unauthorized", `The request's Slack signature does not match PATCHBAY_SLACK_SIGNING_SECRET (${detail}).`);
  }
  if (request.contentType.startsWith("application/x-www-form-urlencoded")) return receiveCommand(new URLSearchParams(request.rawBody));
  let payload: unknown;
  try {
    payload = JSON.parse(request.rawBody);
  } catch {
    throw new AppError("bad_request", "The request is neither a slash command nor an Events API JSON body.");
  }
  if ((payload as { type?: unknown } | null)?.type === TEST_EVENT) return receiveTestEvent(payload);
  return receiveEvent(payload);
}

const ephemeral = (text: string): SlackAnswer => ({ status: 200, body: { response_type: "ephemeral", text } });
const USAGE = "Write `/patchbay <environment> <what to do>`, for example `/patchbay web fix the flaky date test`.";

async function receiveCommand(form: URLSearchParams): Promise<SlackAnswer> {
  const command = readSlashCommand(form);
  if (command.kind === "invalid") throw new AppError("bad_request", "The request is not a slash command Patchbay reads.");
  if (!command.name) return ephemeral(USAGE);
  const environment = await environmentForSlack({ name: command.name });
  // Slack shows the answer to the person who typed the command only.
  if (!environment)
    return ephemeral(`No Patchbay environment answers to \`${command.name}\`: its owner sets the Slack name on the environment's page. ${USAGE}`);
  if (!command.request) return ephemeral(USAGE);
  const work: SlackRequest = { kind: "slack", channel: command.channel, threadTs: null, user: command.user, request: command.request, inThread: false };
  const recorded = await recordSlackWork(environment.id, `command:${command.triggerId}`, "slash_command", work);
  return ephemeral(
    recorded.duplicate
      ? "Patchbay has this request already."
      : `Patchbay is on it: it answers in this channel when the task starts and when it ends. (Trigger ${recorded.id})`,
  );
}

async function receiveEvent(payload: unknown): Promise<SlackAnswer> {
  const read = readSlackEvent(payload);
  if (read.kind === "url_verification") return { status: 200, body: { challenge: read.challenge } };
  if (read.kind === "ignored") return { status: 200, body: { ignored: read.reason } };
  if (read.kind === "thread message") {
    // Every message of every channel the app is in arrives here: only replies in a thread where Patchbay
    // runs a task are for it, and only those are recorded.
    const thread = await slackThreadTask(read.channel, read.threadTs ?? "");
    if (!thread) return { status: 200, body: { ignored: "a message in a thread without a Patchbay task" } };
    const work: SlackRequest = { kind: "slack", channel: read.channel, threadTs: read.threadTs, user: read.user, request: read.request, inThread: true };
    const recorded = await recordSlackWork(thread.environmentId, read.eventId, "message", work);
    return { status: 200, body: { trigger: recorded.id, status: recorded.status } };
  }
  const environment = await environmentForSlack({ channel: read.channel });
  const threadTs = read.threadTs ?? read.ts;
  if (!environment) {
    // Nobody's inbox holds a mention in a channel no environment claims: the answer goes to the thread.
    await enqueueTrigger({
      notice: {
        channel: read.channel,
        threadTs,
        text: "This channel is not connected to a Patchbay environment, so nothing was started. An environment's owner adds the channel's id on the environment's page (Slack), or use `/patchbay <environment> <request>`.",
      },
    });
    return { status: 200, body: { ignored: "the channel belongs to no environment" } };
  }
  // A mention inside a thread continues the thread's task, if it has one: the worker looks.
  const work: SlackRequest = { kind: "slack", channel: read.channel, threadTs, user: read.user, request: read.request, inThread: read.threadTs !== null };
  const recorded = await recordSlackWork(environment.id, read.eventId, "app_mention", work);
  return { status: 200, body: { trigger: recorded.id, status: recorded.status } };
}

async function recordSlackWork(environmentId: string, deliveryId: string, event: string, work: SlackRequest) {
  const { trigger, duplicate } = await recordDelivery(environmentId, "slack", deliveryId, {
    event,
    summary: `${work.request || "(no request)"} — ${work.user} in ${work.channel}`,
    actor: work.user,
    status: "received",
    reason: null,
    steps: [step("received"), step("verified")],
    work,
  });
  // Slack sends an event again when it got no answer in three seconds: the same event id finds the first.
  if (!duplicate) await queueDelivery(trigger.id);
  return { id: trigger.id, status: trigger.status as TriggerStatus, duplicate };
}

/** The task a Slack thread belongs to: the one a mention or command in it started. */
export async function slackThreadTask(channel: string, threadTs: string): Promise<{ environmentId: string; taskId: string } | null> {
  const row = await db().trigger.findFirst({
    where: {
      source: "slack",
      taskId: { not: null },
      AND: [{ work: { path: ["channel"], equals: channel } }, { work: { path: ["threadTs"], equals: threadTs } }],
    },
    orderBy: { createdAt: "asc" },
    select: { environmentId: true, taskId: true },
  });
  return row?.taskId ? { environmentId: row.environmentId, taskId: row.taskId } : null;
}

/** "Send a test event" on the environment page: Patchbay signs a request as Slack would, for this environment. */
const TEST_EVENT = "patchbay_test";

async function receiveTestEvent(payload: unknown): Promise<SlackAnswer> {
  const environmentId = (payload as { environment?: unknown }).environment;
  const eventId = (payload as { event_id?: unknown }).event_id;
  if (typeof environmentId !== "string" || typeof eventId !== "string") throw new AppError("bad_request", "The test event names no environment.");
  const environment = await db().environment.findUnique({ where: { id: environmentId }, select: { id: true } });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  const { trigger } = await recordDelivery(environment.id, "slack", eventId, {
    event: "test",
    summary: "test: the Slack signing secret works",
    status: "done",
    reason: null,
    steps: [step("received"), step("verified")],
  });
  return { status: 200, body: { trigger: trigger.id, status: "done" } };
}

export async function sendSlackTestEvent(userId: string, environmentId: string, signingSecret: string | undefined): Promise<SlackAnswer> {
  const owned = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { id: true } });
  if (!owned) throw new AppError("not_found", "Environment not found.");
  if (!signingSecret)
    throw new AppError("bad_request", "Slack is not set up on this Patchbay: set PATCHBAY_SLACK_SIGNING_SECRET and PATCHBAY_SLACK_BOT_TOKEN.");
  const rawBody = JSON.stringify({ type: TEST_EVENT, environment: environmentId, event_id: `test-${randomUUID()}` });
  const timestamp = Math.floor(Date.now() / 1000);
  return receiveSlackRequest(
    { rawBody, contentType: "application/json", signature: signSlackRequest(signingSecret, timestamp, rawBody), timestamp: String(timestamp) },
    signingSecret,
  );
}
