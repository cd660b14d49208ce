import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { errorResponse, readLimited } from "@/lib/http/api-route";
import { isPlausibleId } from "@/lib/http/plausible-id";
import { receiveForgeWebhook } from "@/lib/triggers/triggers";

// Gitea's (and Forgejo's) webhook deliveries for one environment. No session: the delivery proves itself with
// X-Gitea-Signature (Forgejo: X-Forgejo-Signature too), the hex HMAC-SHA256 of the raw body with the
// environment's secret. Answers as soon as the delivery is recorded and queued; the worker does the rest.
const MAX_DELIVERY_BYTES = 5 * 1024 * 1024;

export async function POST(request: NextRequest, context: { params: Promise<{ environmentId: string }> }): Promise<Response> {
  try {
    const { environmentId } = await context.params;
    if (!isPlausibleId(environmentId)) throw new AppError("not_found", "No webhook is set up at this address.");
    const header = (name: string) => request.headers.get(`x-gitea-${name}`) ?? request.headers.get(`x-forgejo-${name}`);

    const result = await receiveForgeWebhook("gitea", {
      environmentId,
      event: header("event") ?? "",
      deliveryId: header("delivery") ?? "",
      signature: header("signature"),
      rawBody: await readLimited(request, MAX_DELIVERY_BYTES, "The delivery is larger than Patchbay accepts (5 MB)."),
    });
    return NextResponse.json(result.body, { status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}
