import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { requestReviewPost } from "@/lib/reviews/review-tasks";

// Posts a review task's findings to the reviewed task's pull request as one review (the worker does it).
export const POST = apiRoute<{ taskId: string }>(async ({ user, params }) =>
  NextResponse.json(await requestReviewPost(user.id, params.taskId), { status: 202 }),
);
