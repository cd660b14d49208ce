import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { sendLinearTestEvent } from "@/lib/triggers/linear-webhook";

// "Send a test event": a delivery signed with the environment's Linear signing secret, received like Linear's; it shows in the inbox.
export const POST = apiRoute<{ environmentId: string }>(async ({ user, params }) => {
  const result = await sendLinearTestEvent(user.id, params.environmentId);
  return NextResponse.json(result.body, { status: result.status });
});
