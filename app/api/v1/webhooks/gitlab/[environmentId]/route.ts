import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { errorResponse, readLimited } from "@/lib/http/api-route";
import { isPlausibleId } from "@/lib/http/plausible-id";
import { receiveForgeWebhook } from "@/lib/triggers/triggers";

// GitLab's webhook deliveries for one environment. No session: GitLab sends the webhook's secret token itself
// in X-Gitlab-Token, compared in constant time with the environment's secret. Answers as soon as the delivery
// is recorded and queued; the worker does the rest.
const MAX_DELIVERY_BYTES = 5 * 1024 * 1024;

/**
 * The delivery's id, the same when GitLab sends it again: Idempotency-Key (GitLab 17.4+, kept across retries
 * and "Resend request"), else X-Gitlab-Event-UUID (one per event), else X-Gitlab-Webhook-UUID.
 */
function deliveryId(request: NextRequest): string {
  return request.headers.get("idempotency-key") ?? request.headers.get("x-gitlab-event-uuid") ?? request.headers.get("x-gitlab-webhook-uuid") ?? "";
}

export async function POST(request: NextRequest, context: { params: Promise<{ environmentId: string }> }): Promise<Response> {
  try {
    const { environmentId } = await context.params;
    if (!isPlausibleId(environmentId)) throw new AppError("not_found", "No webhook is set up at this address.");

    const result = await receiveForgeWebhook("gitlab", {
      environmentId,
      event: request.headers.get("x-gitlab-event") ?? "",
      deliveryId: deliveryId(request),
      signature: request.headers.get("x-gitlab-token"),
      rawBody: await readLimited(request, MAX_DELIVERY_BYTES, "The delivery is larger than Patchbay accepts (5 MB)."),
    });
    return NextResponse.json(result.body, { status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}
