import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { cancelTask } from "@/lib/tasks/cancel-task";

export const POST = apiRoute<{ taskId: string }>(async ({ user, params }) => NextResponse.json(await cancelTask(user.id, params.taskId), { status: 202 }));
