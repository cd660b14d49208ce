import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { requestBranchUpdate } from "@/lib/pull-requests/pull-requests";

// "Update branch": merge the base branch's head into the task's branch (the worker does it).
export const POST = apiRoute<{ taskId: string }>(async ({ user, params }) =>
  NextResponse.json(await requestBranchUpdate(user.id, params.taskId), { status: 202 }),
);
