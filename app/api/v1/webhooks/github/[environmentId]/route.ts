import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { errorResponse, readLimited } from "@/lib/http/api-route";
import { isPlausibleId } from "@/lib/http/plausible-id";
import { receiveGitHubWebhook } from "@/lib/triggers/triggers";

// GitHub's webhook deliveries for one environment. No session: the delivery proves itself with its
// X-Hub-Signature-256 (an HMAC of the raw body with the environment's secret). Answers as soon as the
// delivery is recorded and queued; the worker does the rest.
const MAX_DELIVERY_BYTES = 5 * 1024 * 1024;

export async function POST(request: NextRequest, context: { params: Promise<{ environmentId: string }> }): Promise<Response> {
  try {
    const { environmentId } = await context.params;
    if (!isPlausibleId(environmentId)) throw new AppError("not_found", "No webhook is set up at this address.");

    const result = await receiveGitHubWebhook({
      environmentId,
      event: request.headers.get("x-github-event") ?? "",
      deliveryId: request.headers.get("x-github-delivery") ?? "",
      signature: request.headers.get("x-hub-signature-256"),
      // GitHub caps payloads at 25 MB; what Patchbay reads of them is far smaller.
      rawBody: await readLimited(request, MAX_DELIVERY_BYTES, "The delivery is larger than Patchbay accepts (5 MB)."),
    });
    return NextResponse.json(result.body, { status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}
