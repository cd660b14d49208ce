// Checks that a webhook delivery came from Linear: the Linear-Signature header must be the HMAC-SHA256 (hex) of
// the raw body under the webhook's signing secret, and the signed body's webhookTimestamp within a minute of
// now, against replays. The check itself is @linear/sdk's (LinearWebhookClient.parseData: the signature
// first, then the signed timestamp); this module turns its failures into reasons a person can act on.
import { createHmac } from "node:crypto";
import { LinearWebhookClient } from "@linear/sdk/webhooks";

export type LinearVerification = { ok: true; payload: unknown } | { ok: false; reason: string };

export function verifyLinearDelivery(secret: string, rawBody: string, signature: string | null): LinearVerification {
  if (!signature) return { ok: false, reason: "missing signature: the delivery has no Linear-Signature header" };
  if (!secret) return { ok: false, reason: "no signing secret: paste the webhook's signing secret from Linear's API settings" };
  try {
    const payload: unknown = new LinearWebhookClient(secret).parseData(Buffer.from(rawBody, "utf8"), signature);
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, reason: failureReason(rawBody, error) };
  }
}

/** What Linear sends as Linear-Signature for this body; for "send a test event" and for tests. */
export function signLinearDelivery(secret: string, rawBody: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("hex");
}

function failureReason(rawBody: string, error: unknown): string {
  if (error instanceof SyntaxError) return "not JSON: the delivery's body could not be read as JSON";
  const message = error instanceof Error ? error.message : String(error);
  if (message === "Invalid webhook signature") {
    return "bad signature: the Linear-Signature header does not match the body; check that the signing secret is this webhook's";
  }
  if (message === "Missing webhook timestamp") return "no timestamp: the signed body has no webhookTimestamp";
  if (message === "Invalid webhook timestamp") {
    const timestamp = (JSON.parse(rawBody) as { webhookTimestamp?: unknown }).webhookTimestamp;
    if (typeof timestamp !== "number" || !Number.isFinite(timestamp)) return "bad timestamp: the body's webhookTimestamp is not a number";
    const seconds = Math.round((Date.now() - timestamp) / 1000);
    return seconds >= 0
      ? `stale: the delivery's webhookTimestamp is more than a minute old (${seconds} s); a replay, or a clock that is off`
      : `from the future: the delivery's webhookTimestamp is ${-seconds} s ahead of this server's clock; check the clock`;
  }
  return `not verified: ${message}`;
}
