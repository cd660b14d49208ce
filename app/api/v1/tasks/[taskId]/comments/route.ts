import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/http/api-route";
import { addReviewComment, listReviewComments } from "@/lib/review-comments/review-comments";

// Line comments on the task's diff: drafts until sent (POST …/comments/send), then the agent's answers.
export const GET = apiRoute<{ taskId: string }>(async ({ user, params }) => NextResponse.json({ comments: await listReviewComments(user.id, params.taskId) }));

export const POST = apiRoute<{ taskId: string }>(async ({ request, user, params }) =>
  NextResponse.json(await addReviewComment(user.id, params.taskId, await readJson(request)), { status: 201 }),
);
