import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";
import { selectAttempt } from "@/lib/tasks/select-attempt";

// Best-of-N: choose which attempt of the latest turn the task's diff, patch and follow-ups use.
export const POST = apiRoute<{ taskId: string; attempt: string }>(async ({ user, params }) => {
  if (!/^\d{1,2}$/.test(params.attempt)) throw new AppError("bad_request", "The attempt number must be a small non-negative integer.");
  return NextResponse.json(await selectAttempt(user.id, params.taskId, Number(params.attempt)));
});
