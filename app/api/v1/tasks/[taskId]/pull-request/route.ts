import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { getPullRequest, requestPullRequest } from "@/lib/pull-requests/pull-requests";

// The task's pull request, or null when none was created.
export const GET = apiRoute<{ taskId: string }>(async ({ user, params }) => NextResponse.json(await getPullRequest(user.id, params.taskId)));

// Creates the pull request (or publishes the task's latest change to it again); the worker does the push.
export const POST = apiRoute<{ taskId: string }>(async ({ user, params }) =>
  NextResponse.json(await requestPullRequest(user.id, params.taskId), { status: 202 }),
);
