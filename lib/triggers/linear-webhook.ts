// Linear's webhook deliveries for one environment (POST /api/v1/webhooks/linear/:environmentId). A delivery
// is verified with the environment's signing secret before anything is read, recorded once and queued; the
// worker does the rest (worker/triggers/linear-trigger.ts), so Linear gets its answer at once and no Linear
// API call happens in the request.
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { type LinearRequest, readLinearDelivery } from "./linear-delivery";
import { openLinearSettings } from "./linear-settings";
import { signLinearDelivery, verifyLinearDelivery } from "./linear-signature";
import { MAX_REFUSED_PER_MINUTE, queueDelivery, recentlyRefused, recordDelivery, step, type TriggerStatus } from "./triggers";

export type LinearHttpDelivery = {
  environmentId: string;
  /** The Linear-Delivery header: the same for Linear's retries of one delivery. */
  deliveryId: string;
  /** The Linear-Event header (Issue, Comment…), for a refused delivery's row; the body says it too. */
  event: string;
  signature: string | null;
  rawBody: string;
};

export type LinearAnswer = { status: number; body: { trigger: string; status: TriggerStatus; duplicate?: true } };

/** The type of the environment page's "send a test event"; Linear sends no such type. */
const TEST_EVENT_TYPE = "PatchbayTest";

/**
 * A delivery as Linear sends it. Throws 401 for a missing, wrong or stale signature (recorded as refused,
 * nothing queued); answers 200 otherwise, with `duplicate` when the delivery or its request is known already.
 */
export async function receiveLinearWebhook(delivery: LinearHttpDelivery): Promise<LinearAnswer> {
  const environment = await db().environment.findUnique({ where: { id: delivery.environmentId }, select: { id: true, linear: true } });
  const settings = environment ? openLinearSettings(environment.linear, sharedEnv().PATCHBAY_SECRETS_KEY) : null;
  if (!environment || !settings) throw new AppError("not_found", "No Linear webhook is set up at this address.");
  const deliveryId = delivery.deliveryId.trim().slice(0, 200) || `missing-${randomUUID()}`;

  const verified = verifyLinearDelivery(settings.signingSecret, delivery.rawBody, delivery.signature);
  if (!verified.ok) {
    // Anyone can post to the address: past a few a minute, refusals are answered but no longer recorded.
    if ((await recentlyRefused(environment.id)) >= MAX_REFUSED_PER_MINUTE) throw new AppError("unauthorized", `The delivery was refused: ${verified.reason}.`);
    // Kept apart from real deliveries' ids, so a forged request cannot take a genuine delivery's place.
    const refused = await recordDelivery(environment.id, "linear", `unverified:${deliveryId}`, {
      event: delivery.event || "delivery",
      summary: `Linear ${delivery.event || "delivery"} refused`,
      status: "refused",
      reason: verified.reason,
      steps: [step("received")],
    });
    throw new AppError("unauthorized", `The delivery was refused: ${verified.reason} (trigger ${refused.trigger.id}).`);
  }

  const payload = verified.payload as { type?: unknown; action?: unknown } | null;
  const event = `${String(payload?.type ?? "unknown")}.${String(payload?.action ?? "unknown")}`.toLowerCase();
  const steps = [step("received"), step("verified")];
  if (payload?.type === TEST_EVENT_TYPE) {
    const { trigger, duplicate } = await recordDelivery(environment.id, "linear", deliveryId, {
      event: "test",
      summary: `test: the Linear signing secret works; Patchbay acts as ${settings.agent.name}`,
      status: "done",
      reason: null,
      steps,
    });
    return answer(trigger, duplicate);
  }

  const read = readLinearDelivery(payload, settings.agent);
  if (read.kind === "ignored") {
    const { trigger, duplicate } = await recordDelivery(environment.id, "linear", deliveryId, {
      event,
      summary: read.summary,
      status: "ignored",
      reason: read.reason,
      steps,
    });
    return answer(trigger, duplicate);
  }
  // Recorded under the request's own key rather than the delivery's: Linear's retry of the delivery, and the
  // same signed body posted again under another id (within the minute its timestamp allows), find the first.
  const { trigger, duplicate } = await recordDelivery(environment.id, "linear", requestKey(payload, read.work, deliveryId), {
    event,
    summary: read.summary,
    actor: read.work.actor.name || read.work.actor.email || read.work.actor.id,
    url: read.work.url,
    status: "received",
    reason: null,
    steps,
    work: read.work,
  });
  if (!duplicate) await queueDelivery(trigger.id);
  return answer(trigger, duplicate);
}

/**
 * What makes a request the same request: its comment, or the assignment at the moment it was made
 * (the updatedAt, which Linear's retries keep while their webhookTimestamp changes). An issue taken
 * from Patchbay and given back later is a new request.
 */
export function requestKey(payload: unknown, work: LinearRequest, deliveryId: string): string {
  if (work.commentId) return `comment:${work.commentId}`;
  const updatedAt = (payload as { data?: { updatedAt?: unknown } } | null)?.data?.updatedAt;
  return typeof updatedAt === "string" && updatedAt ? `assigned:${work.issueId}:${updatedAt}` : deliveryId;
}

function answer(trigger: { id: string; status: string }, duplicate: boolean): LinearAnswer {
  return { status: 200, body: { trigger: trigger.id, status: trigger.status as TriggerStatus, ...(duplicate ? { duplicate: true as const } : {}) } };
}

/** "Send a test event": a delivery signed with the environment's secret, received like Linear's; it shows in the inbox. */
export async function sendLinearTestEvent(userId: string, environmentId: string): Promise<LinearAnswer> {
  const environment = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { id: true, linear: true } });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  const settings = openLinearSettings(environment.linear, sharedEnv().PATCHBAY_SECRETS_KEY);
  if (!settings) throw new AppError("bad_request", "Linear is not set up for this environment yet: save its signing secret and API key first.");
  const rawBody = JSON.stringify({ type: TEST_EVENT_TYPE, action: "test", webhookTimestamp: Date.now() });
  return receiveLinearWebhook({
    environmentId: environment.id,
    deliveryId: `test-${randomUUID()}`,
    event: TEST_EVENT_TYPE,
    signature: signLinearDelivery(settings.signingSecret, rawBody),
    rawBody,
  });
}
