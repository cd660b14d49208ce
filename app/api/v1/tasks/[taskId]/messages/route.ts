import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/http/api-route";
import { addFollowUp } from "@/lib/tasks/add-follow-up";

// A follow-up message on a finished task (409 while it is still running).
export const POST = apiRoute<{ taskId: string }>(async ({ request, user, params }) => {
  const followUp = await addFollowUp(user.id, params.taskId, await readJson(request));
  return NextResponse.json({ turn: followUp.turn }, { status: 201 });
});
