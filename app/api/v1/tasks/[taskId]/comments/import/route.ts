import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { requestForgeCommentImport } from "@/lib/review-comments/review-comments";

// Pulls the review comments left on the task's pull request in as drafts; the worker asks the forge.
export const POST = apiRoute<{ taskId: string }>(async ({ user, params }) =>
  NextResponse.json(await requestForgeCommentImport(user.id, params.taskId), { status: 202 }),
);
