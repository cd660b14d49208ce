// Triggers: work that comes in from outside (a GitHub webhook delivery, a Slack message, a Linear issue) and what became of it. The web
// receives a delivery, verifies its signature, records it (once: a redelivery finds the row and starts
// nothing) and queues it; the worker acts on it (worker/triggers) and each step lands here for the inbox.
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { db, DbNull, isUniqueViolation, type Prisma } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { forgeRepositoryPath, forgeSummary } from "@/lib/forge/forge-connection";
import { enqueueTrigger } from "@/lib/queue/producer";
import type { REPLY_KINDS } from "@/lib/queue/contracts";
import { PROOF_HEADER, provesDelivery, signGiteaDelivery } from "./forge-proofs";
import { type GitHubDelivery, readGitHubDelivery } from "./github-delivery";
import { readGiteaDelivery } from "./gitea-delivery";
import { readGitLabDelivery } from "./gitlab-delivery";
import {
  type AutoReview,
  autoReviewSchema,
  forgeLoginSchema,
  isWebhookForge,
  newWebhookSecret,
  openWebhook,
  sealWebhook,
  type WebhookForge,
  webhookSummary,
  webhookUrl,
} from "./webhook-settings";

export type TriggerStatus = "received" | "started" | "done" | "ignored" | "refused" | "failed";
export type TriggerStep = { step: string; at: string; detail?: string };

/** One step of a trigger's history, as of now; a missing detail is left out. */
export function step(name: string, detail?: string | null): TriggerStep {
  return { step: name, at: new Date().toISOString(), ...(detail ? { detail } : {}) };
}
export type ReplyKind = (typeof REPLY_KINDS)[number];
export type ReplyState = { kind: ReplyKind; status: "pending" | "sent" | "failed"; attempts: number; error?: string; url?: string };

export type TriggerDto = {
  id: string;
  environmentId: string;
  source: string;
  event: string;
  summary: string;
  actor: string | null;
  url: string | null;
  status: TriggerStatus;
  reason: string | null;
  steps: TriggerStep[];
  taskId: string | null;
  replies: ReplyState[];
  retryable: boolean;
  createdAt: string;
};

async function ownedEnvironment(userId: string, environmentId: string) {
  const environment = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { id: true, webhook: true, forge: true } });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  return environment;
}

/** The environment's forge, when it is one that delivers webhooks (a plain git remote does not). */
function webhookForgeOf(environment: { forge: unknown }): WebhookForge {
  const kind = forgeSummary(environment.forge)?.kind;
  if (!isWebhookForge(kind)) {
    throw new AppError(
      "bad_request",
      "Webhooks need the environment connected to GitHub, GitLab or Gitea/Forgejo (Pull requests on the environment page); a plain git remote sends none.",
    );
  }
  return kind;
}

/** The settings besides the secret: automatic review's filters and, for GitLab and Gitea, the owner's login there. */
function settingsInput(input: unknown, current: { autoReview?: AutoReview; forgeLogin?: string | null } | null) {
  const given = (input as { autoReview?: unknown; forgeLogin?: unknown } | null) ?? {};
  const autoReview = autoReviewSchema.parse(given.autoReview ?? current?.autoReview ?? {});
  const forgeLogin = given.forgeLogin === undefined ? (current?.forgeLogin ?? null) : (forgeLoginSchema.parse(given.forgeLogin ?? "") ?? null);
  return { autoReview, forgeLogin };
}

/**
 * Turns the webhook on (or makes a new secret): the answer is the only time the secret is shown. GitHub,
 * GitLab and Gitea (Forgejo) connections take webhooks, each at its own receiver's address.
 */
export async function enableWebhook(
  userId: string,
  environmentId: string,
  input: unknown,
): Promise<{ url: string; secret: string; autoReview: AutoReview; forgeLogin: string | null }> {
  const environment = await ownedEnvironment(userId, environmentId);
  const forge = webhookForgeOf(environment);
  const { autoReview, forgeLogin } = settingsInput(input, webhookSummary(environment.webhook));
  const secret = newWebhookSecret();
  await db().environment.update({
    where: { id: environment.id },
    data: { webhook: sealWebhook(sharedEnv().PATCHBAY_SECRETS_KEY, secret, autoReview, forgeLogin) },
  });
  return { url: webhookUrl(environment.id, forge), secret, autoReview, forgeLogin };
}

/** Changes automatic review's settings (and the owner's forge login, when given); the secret stays. */
export async function updateAutoReview(
  userId: string,
  environmentId: string,
  input: unknown,
): Promise<{ url: string; autoReview: AutoReview; forgeLogin: string | null }> {
  const environment = await ownedEnvironment(userId, environmentId);
  const opened = openWebhook(environment.webhook, sharedEnv().PATCHBAY_SECRETS_KEY);
  if (!opened) throw new AppError("bad_request", "The environment takes no webhooks yet; turn them on first.");
  const forge = webhookForgeOf(environment);
  const given = (input as { autoReview?: unknown; forgeLogin?: unknown } | null) ?? {};
  // The older body shape is automatic review's settings alone, without the {autoReview} around them.
  const shaped = given.autoReview === undefined && given.forgeLogin === undefined ? { autoReview: input } : given;
  const { autoReview, forgeLogin } = settingsInput(shaped, opened);
  await db().environment.update({
    where: { id: environment.id },
    data: { webhook: sealWebhook(sharedEnv().PATCHBAY_SECRETS_KEY, opened.secret, autoReview, forgeLogin) },
  });
  return { url: webhookUrl(environment.id, forge), autoReview, forgeLogin };
}

export async function disableWebhook(userId: string, environmentId: string): Promise<void> {
  const environment = await ownedEnvironment(userId, environmentId);
  await db().environment.update({ where: { id: environment.id }, data: { webhook: DbNull } });
}

type Delivery = { environmentId: string; event: string; deliveryId: string; signature: string | null; rawBody: string };
type Received = { status: number; body: { trigger: string; status: TriggerStatus; duplicate?: true } };

/**
 * A delivery as GitHub sends it to /api/v1/webhooks/github/:environmentId. Answers 401 for a missing or
 * wrong signature (recorded as refused, nothing queued), 200 for a redelivery (nothing new), 202 otherwise.
 */
export function receiveGitHubWebhook(delivery: Delivery): Promise<Received> {
  return receiveForgeWebhook("github", delivery);
}

/** What each forge's deliveries say, read into the same shapes. */
const READERS: Record<WebhookForge, (event: string, payload: unknown) => GitHubDelivery> = {
  github: readGitHubDelivery,
  gitlab: readGitLabDelivery,
  gitea: readGiteaDelivery,
};

/**
 * The trigger's event, in the names the worker and the inbox go by whichever forge it came from: a comment
 * is "issue_comment" and a pull/merge request to review "pull_request" (GitHub's and Gitea's own names;
 * GitLab's "Note Hook" and "Merge Request Hook"), anything else as the forge named it.
 */
function triggerEvent(event: string, read: GitHubDelivery): string {
  return read.kind === "mention" ? "issue_comment" : read.kind === "review" ? "pull_request" : event;
}

/**
 * A delivery from the environment's forge to /api/v1/webhooks/<forge>/:environmentId; `signature` is the
 * forge's proof (forge-proofs.ts: GitHub's and Gitea's HMAC of the body, GitLab's token). A forge other than
 * the environment's is answered 404, as an address with no webhook: its numbers would mean nothing there.
 */
export async function receiveForgeWebhook(forge: WebhookForge, delivery: Delivery): Promise<Received> {
  const environment = await db().environment.findUnique({
    where: { id: delivery.environmentId },
    select: { id: true, repoUrl: true, webhook: true, forge: true },
  });
  const opened = environment && forgeSummary(environment.forge)?.kind === forge ? openWebhook(environment.webhook, sharedEnv().PATCHBAY_SECRETS_KEY) : null;
  if (!environment || !opened) throw new AppError("not_found", "No webhook is set up at this address.");
  const deliveryId = delivery.deliveryId.trim().slice(0, 200) || `missing-${randomUUID()}`;
  const signed = delivery.signature !== null && (await provesDelivery(forge, opened.secret, delivery.rawBody, delivery.signature));
  const proof = forge === "gitlab" ? "token" : "signature";
  if (!signed && (await recentlyRefused(environment.id)) >= MAX_REFUSED_PER_MINUTE) {
    // Anyone can post to the address: past a few a minute, refusals are answered but no longer recorded.
    throw new AppError("unauthorized", `The delivery's ${proof} does not match this environment's webhook secret.`);
  }
  if (!signed) {
    // Kept apart from real deliveries' ids, so a forged request cannot take a genuine delivery's place.
    const refused = await recordDelivery(environment.id, forge, `unverified:${deliveryId}`, {
      event: delivery.event,
      summary: `${delivery.event || "delivery"} with ${delivery.signature ? "a wrong" : "no"} ${proof}`,
      status: "refused",
      reason: delivery.signature
        ? `bad ${proof}: it does not match the environment's webhook secret`
        : `missing ${proof}: the delivery has no ${PROOF_HEADER[forge]} header`,
      steps: [step("received")],
    });
    throw new AppError("unauthorized", `The delivery's ${proof} does not match this environment's webhook secret (trigger ${refused.trigger.id}).`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(delivery.rawBody);
  } catch {
    throw new AppError("bad_request", "The delivery is not JSON; set the webhook's content type to application/json.");
  }
  const read = delivery.event === TEST_EVENT ? { kind: "ping" as const, repository: null } : READERS[forge](delivery.event, payload);
  const event = triggerEvent(delivery.event, read);
  // The delivery id is not signed, the comment is: a signed body posted again under a new id (by anyone who
  // saw it in the forge's delivery log) must not start a second task.
  if (read.kind === "mention") {
    const earlier = await db().trigger.findFirst({
      where: { environmentId: environment.id, source: forge, event, work: { path: ["commentId"], equals: read.commentId } },
      select: { id: true, status: true },
    });
    if (earlier) return { status: 200, body: { trigger: earlier.id, status: earlier.status as TriggerStatus, duplicate: true } };
  }
  const expected = forgeRepositoryPath(environment.repoUrl).toLowerCase();
  const steps: TriggerStep[] = [step("received"), step("verified")];
  const base = { event, steps };
  const fields =
    read.repository !== null && read.repository.toLowerCase() !== expected
      ? {
          ...base,
          summary: `${event} from ${read.repository}`,
          status: "refused" as const,
          reason: `unknown repository: ${read.repository} is not this environment's ${expected}`,
        }
      : read.kind === "ping"
        ? { ...base, summary: "ping: the webhook is set up", status: "done" as const, reason: null }
        : read.kind === "ignored"
          ? { ...base, summary: read.summary, status: "ignored" as const, reason: read.reason }
          : read.kind === "mention"
            ? {
                ...base,
                summary: `${read.request || "(no request)"} — ${read.actor.login} on ${forge === "gitlab" && read.onPullRequest ? "!" : "#"}${read.number}`,
                actor: read.actor.login,
                url: read.url,
                status: "received" as const,
                reason: null,
                work: read,
              }
            : {
                ...base,
                summary: `review ${forge === "gitlab" ? "!" : "#"}${read.number} at ${read.headSha.slice(0, 7)}: ${read.title}`,
                actor: read.author,
                url: read.url,
                status: "received" as const,
                reason: null,
                work: read,
              };
  const { trigger, duplicate } = await recordDelivery(environment.id, forge, deliveryId, fields);
  if (duplicate) return { status: 200, body: { trigger: trigger.id, status: trigger.status as TriggerStatus, duplicate: true } };
  if (fields.status === "received") await queueDelivery(trigger.id);
  return { status: 202, body: { trigger: trigger.id, status: fields.status } };
}

/**
 * Queues a recorded delivery for the worker. The step is written before the job exists: the worker may act
 * on it (matched, started…) before this request could write anything after. A job that could not be queued
 * leaves the trigger failed, which Retry queues again (the service's redelivery would only find the duplicate).
 */
export async function queueDelivery(triggerId: string): Promise<void> {
  await appendSteps(triggerId, [step("queued")]);
  await enqueueTrigger({ triggerId }).catch(async (error: unknown) => {
    await appendSteps(triggerId, [step("failed")], { status: "failed", reason: "failed: the delivery could not be queued; retry it" });
    throw error;
  });
}

/** Refused deliveries recorded per environment and minute (the forges' and Linear's); past it they are answered only. */
export const MAX_REFUSED_PER_MINUTE = 20;

export function recentlyRefused(environmentId: string): Promise<number> {
  return db().trigger.count({ where: { environmentId, deliveryId: { startsWith: "unverified:" }, createdAt: { gte: new Date(Date.now() - 60_000) } } });
}

export type TriggerSource = WebhookForge | "slack" | "linear";

export type DeliveryFields = {
  event: string;
  summary: string;
  status: TriggerStatus;
  reason: string | null;
  steps: TriggerStep[];
  actor?: string;
  url?: string;
  work?: unknown;
};

/** Records a delivery once: the unique (environment, source, delivery id) makes a redelivery find the first. */
export async function recordDelivery(environmentId: string, source: TriggerSource, deliveryId: string, fields: DeliveryFields) {
  const data = {
    environmentId,
    source,
    deliveryId,
    event: fields.event.slice(0, 100) || "unknown",
    summary: fields.summary.slice(0, 500),
    status: fields.status,
    reason: fields.reason,
    steps: fields.steps,
    actor: fields.actor ?? null,
    url: fields.url ?? null,
    ...(fields.work ? { work: fields.work as Prisma.InputJsonValue } : {}),
  };
  try {
    return { trigger: await db().trigger.create({ data, select: { id: true, status: true } }), duplicate: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await db().trigger.findUniqueOrThrow({
      where: { environmentId_source_deliveryId: { environmentId, source, deliveryId } },
      select: { id: true, status: true },
    });
    return { trigger: existing, duplicate: true };
  }
}

/** Appends steps in one statement (jsonb concatenation), so two writers never lose each other's steps. */
export async function appendSteps(
  triggerId: string,
  steps: TriggerStep[],
  change: { status?: TriggerStatus; reason?: string | null; taskId?: string } = {},
): Promise<void> {
  await db().$executeRaw`UPDATE "Trigger" SET "steps" = "steps" || ${JSON.stringify(steps)}::jsonb, "updatedAt" = now() WHERE "id" = ${triggerId}`;
  if (Object.keys(change).length > 0) await db().trigger.update({ where: { id: triggerId }, data: change });
}

/**
 * The event name of Patchbay's own "send a test event": a ping, proven with the environment's secret the way
 * its forge proves deliveries, through the same receiver (GitLab and Gitea have no ping of their own).
 */
const TEST_EVENT = "patchbay_test";

/** "send a test event": a ping signed with the environment's secret, through the same path as the forge's deliveries. */
export async function sendTestEvent(userId: string, environmentId: string) {
  const environment = await ownedEnvironment(userId, environmentId);
  const opened = openWebhook(environment.webhook, sharedEnv().PATCHBAY_SECRETS_KEY);
  if (!opened) throw new AppError("bad_request", "The environment takes no webhooks yet; turn them on first.");
  const kind = forgeSummary(environment.forge)?.kind;
  const forge = isWebhookForge(kind) ? kind : "github";
  const rawBody = JSON.stringify({ zen: "Patchbay test event.", hook_id: 0 });
  const deliveryId = `test-${randomUUID()}`;
  if (forge === "github") return receiveGitHubWebhook({ environmentId, event: "ping", deliveryId, signature: await sign(opened.secret, rawBody), rawBody });
  const signature = forge === "gitlab" ? opened.secret : signGiteaDelivery(opened.secret, rawBody);
  return receiveForgeWebhook(forge, { environmentId, event: TEST_EVENT, deliveryId, signature, rawBody });
}

const RETRYABLE_REASONS = /^(user not allowed|limit reached|failed)/;

/** A trigger that failed, or was refused for a reason that can change (an account linked, a limit passed), runs again on Retry. */
function runsAgain(row: { work: unknown; status: string; reason: string | null }): boolean {
  return row.work !== null && (row.status === "failed" || (row.status === "refused" && RETRYABLE_REASONS.test(row.reason ?? "")));
}

function toDto(row: Prisma.TriggerGetPayload<Record<string, never>>): TriggerDto {
  const status = row.status as TriggerStatus;
  const replies = (Array.isArray(row.replies) ? row.replies : []) as ReplyState[];
  return {
    id: row.id,
    environmentId: row.environmentId,
    source: row.source,
    event: row.event,
    summary: row.summary,
    actor: row.actor,
    url: row.url,
    status,
    reason: row.reason,
    steps: (Array.isArray(row.steps) ? row.steps : []) as TriggerStep[],
    taskId: row.taskId,
    replies,
    retryable: runsAgain(row) || replies.some((reply) => reply.status === "failed"),
    createdAt: row.createdAt.toISOString(),
  };
}

/** The inbox: the triggers of the user's environments (one, or all), newest first. */
export async function listTriggers(userId: string, query: { environmentId?: string | null; limit?: number } = {}): Promise<TriggerDto[]> {
  const rows = await db().trigger.findMany({
    where: { environment: { ownerId: userId }, ...(query.environmentId ? { environmentId: query.environmentId } : {}) },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(query.limit ?? 100, 1), 500),
  });
  return rows.map(toDto);
}

/** Retry: runs a failed or refused trigger again from its verified delivery, or sends its failed replies again. */
export async function retryTrigger(userId: string, triggerId: string): Promise<TriggerDto> {
  const row = await db().trigger.findFirst({ where: { id: triggerId, environment: { ownerId: userId } } });
  if (!row) throw new AppError("not_found", "Trigger not found.");
  const dto = toDto(row);
  if (!dto.retryable) throw new AppError("conflict", `This trigger is ${dto.status}${dto.reason ? ` (${dto.reason})` : ""}; there is nothing to retry.`);
  // A trigger that can run again does (and answers again); otherwise only its failed replies are sent again.
  if (!runsAgain(row)) {
    for (const reply of dto.replies.filter((entry) => entry.status === "failed")) await enqueueTrigger({ triggerId, reply: reply.kind });
    await appendSteps(triggerId, [step("retried", "replies")]);
  } else {
    // The earlier run's replies are in the thread already; left here, its "finished: sent" would stand for
    // this run's reply before that is written.
    await db().trigger.update({ where: { id: triggerId }, data: { replies: DbNull } });
    await appendSteps(triggerId, [step("retried")], { status: "received", reason: null });
    await enqueueTrigger({ triggerId });
  }
  return toDto(await db().trigger.findUniqueOrThrow({ where: { id: triggerId } }));
}
