import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { fixFinding } from "@/lib/reviews/review-tasks";

// A review's finding becomes a follow-up of the reviewed task ("fix this").
export const POST = apiRoute<{ taskId: string; findingId: string }>(async ({ user, params }) =>
  NextResponse.json(await fixFinding(user.id, params.taskId, params.findingId), { status: 201 }),
);
