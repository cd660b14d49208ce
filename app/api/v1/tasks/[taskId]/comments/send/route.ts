import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { sendReviewComments } from "@/lib/review-comments/review-comments";

// Every draft comment, as one follow-up turn.
export const POST = apiRoute<{ taskId: string }>(async ({ user, params }) =>
  NextResponse.json(await sendReviewComments(user.id, params.taskId), { status: 201 }),
);
