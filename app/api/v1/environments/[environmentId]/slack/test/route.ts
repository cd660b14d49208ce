import { NextResponse } from "next/server";
import { webEnv } from "@/lib/env";
import { apiRoute } from "@/lib/http/api-route";
import { sendSlackTestEvent } from "@/lib/triggers/slack-webhook";

// "Send a test event": a request signed with the Slack app's signing secret, received like Slack's; it shows in the inbox.
export const POST = apiRoute<{ environmentId: string }>(async ({ user, params }) => {
  const result = await sendSlackTestEvent(user.id, params.environmentId, webEnv().PATCHBAY_SLACK_SIGNING_SECRET);
  return NextResponse.json(result.body, { status: result.status });
});
