import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { webEnv } from "@/lib/env";
import { errorResponse, readLimited } from "@/lib/http/api-route";
import { receiveSlackRequest } from "@/lib/triggers/slack-webhook";

// The installation's Slack app: its Event Subscriptions request URL and its /patchbay command's URL. No
// session: each request proves itself with Slack's signature (X-Slack-Signature over the timestamp and
// the raw body, with PATCHBAY_SLACK_SIGNING_SECRET). Answers at once; the worker does the rest.
const MAX_REQUEST_BYTES = 1024 * 1024;

export async function POST(request: NextRequest): Promise<Response> {
  try {
    const answer = await receiveSlackRequest(
      {
        rawBody: await readLimited(request, MAX_REQUEST_BYTES, "The request is larger than Patchbay accepts from Slack (1 MB)."),
        contentType: request.headers.get("content-type") ?? "",
        signature: request.headers.get("x-slack-signature"),
        timestamp: request.headers.get("x-slack-request-timestamp"),
      },
      webEnv().PATCHBAY_SLACK_SIGNING_SECRET,
    );
    return NextResponse.json(answer.body, { status: answer.status });
  } catch (error) {
    return errorResponse(error);
  }
}
