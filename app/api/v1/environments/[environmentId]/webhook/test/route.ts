import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { sendTestEvent } from "@/lib/triggers/triggers";

// "Send a test event": a ping signed with the environment's secret, received like GitHub's; it shows in the inbox.
export const POST = apiRoute<{ environmentId: string }>(async ({ user, params }) => {
  const result = await sendTestEvent(user.id, params.environmentId);
  return NextResponse.json(result.body, { status: result.status });
});
