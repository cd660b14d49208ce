import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { errorResponse, readLimited } from "@/lib/http/api-route";
import { isPlausibleId } from "@/lib/http/plausible-id";
import { receiveLinearWebhook } from "@/lib/triggers/linear-webhook";

// Linear's webhook deliveries for one environment. No session: the delivery proves itself with its
// Linear-Signature (an HMAC of the raw body with the webhook's signing secret). Answers as soon as the
// delivery is recorded and queued; the worker does the rest.
const MAX_DELIVERY_BYTES = 5 * 1024 * 1024;

export async function POST(request: NextRequest, context: { params: Promise<{ environmentId: string }> }): Promise<Response> {
  try {
    const { environmentId } = await context.params;
    if (!isPlausibleId(environmentId)) throw new AppError("not_found", "No Linear webhook is set up at this address.");

    const result = await receiveLinearWebhook({
      environmentId,
      deliveryId: request.headers.get("linear-delivery") ?? "",
      event: request.headers.get("linear-event") ?? "",
      signature: request.headers.get("linear-signature"),
      // An issue's description is the largest thing a delivery carries; Linear's are far below this.
      rawBody: await readLimited(request, MAX_DELIVERY_BYTES, "The delivery is larger than Patchbay accepts (5 MB)."),
    });
    return NextResponse.json(result.body, { status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}
