import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { getTask } from "@/lib/tasks/task-queries";

export const GET = apiRoute<{ taskId: string }>(async ({ user, params }) => NextResponse.json(await getTask(user.id, params.taskId)));
