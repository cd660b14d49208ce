import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/http/api-route";
import { addFollowUp } from "@/lib/tasks/add-follow-up";

// A message on a task: a follow-up (201, a new turn) when it has finished, steering (202, delivered
// at the agent's next model call) while it runs.
export const POST = apiRoute<{ taskId: string }>(async ({ request, user, params }) => {
  const outcome = await addFollowUp(user.id, params.taskId, await readJson(request));
  return NextResponse.json({ kind: outcome.kind, turn: outcome.turn }, { status: outcome.kind === "follow-up" ? 201 : 202 });
});
